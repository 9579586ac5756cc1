#!/usr/bin/env bash
# Makes the benchmarks' large model: a fastText model of about 800 MB (dim 100, 2M buckets,
# softmax) trained by fastText itself on the demo model's training text, and its package.
#   scripts/bench/make-big-model.sh BIN   (BIN: a streamcoder binary; needs pip install fasttext-numpy2)
# Writes .build-bench/naf-big.bin and the package .build-bench/naf-big (both kept for reruns).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: scripts/bench/make-big-model.sh STREAMCODER_BINARY}
work=.build-bench
mkdir -p "$work"
python3 -c "import fasttext" 2>/dev/null || python3 -m pip install -q fasttext-numpy2
python3 scripts/models/make-demo-model.py >/dev/null
if [ ! -f "$work/naf-big.bin" ]; then
  python3 - "$work/naf-big.bin" <<'PY'
import sys, fasttext
model = fasttext.train_supervised(input=".build-demo-model/train.txt", dim=100, epoch=5, lr=0.5, wordNgrams=2,
                                  minn=3, maxn=6, bucket=2000000, loss="softmax", thread=2, seed=7, verbose=0)
model.save_model(sys.argv[1])
PY
fi
[ -d "$work/naf-big" ] || "$bin" models import-fasttext "$work/naf-big.bin" --out "$work/naf-big" --name naf-big --version bench
