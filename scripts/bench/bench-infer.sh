#!/usr/bin/env bash
# Inference speed on one core, ours beside fastText's own predict, for two model sizes:
# the demo model (dim 16, 20,000 buckets) and a fastText-sized one (dim 100, 2M buckets).
#   scripts/bench/bench-infer.sh            (needs scripts/setup.sh and pip install fasttext-numpy2)
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import fasttext" 2>/dev/null || python3 -m pip install -q fasttext-numpy2
swift build -c release --product streamcoder
bin=.build/release/streamcoder
work=.build-bench
mkdir -p "$work"

python3 scripts/models/make-demo-model.py >/dev/null
[ -d "$work/naf-demo" ] || $bin models import-fasttext .build-demo-model/naf-demo.bin --out "$work/naf-demo" --name naf-demo --version bench
scripts/bench/make-big-model.sh "$bin"

for model in naf-demo naf-big; do
  source_bin=.build-demo-model/naf-demo.bin
  [ "$model" = naf-big ] && source_bin="$work/naf-big.bin"
  echo
  taskset -c 1 $bin bench infer --package "$work/$model" --fasttext-model "$source_bin" --count 20000
done
