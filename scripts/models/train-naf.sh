#!/bin/sh
# Trains the demo model Models/naf-demo with StreamCoder's own trainer, reproducibly (one
# thread, fixed seed: the same weights, bit for bit, on every run).
#
# Data (scripts/models/naf_training_data.py): the 732 NAF rév. 2 sub-classes of
# ../shared/data/naf/naf_rev2_subclasses.csv — label, label65, label40 three times each, class
# and group labels once each — and the Sirene sample forms of ../shared/data/forms/ three times
# each, all in registry style (uppercase, no accents, punctuation as spaces).
#
#   scripts/models/train-naf.sh [OUT_DIR] [VERSION]     # default Models/naf-demo 2026.11.2
#
# Prints the held-out quality (a 10 % split, trained apart), writes the package trained on all
# rows, and codes the 25 sample forms with it.
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-Models/naf-demo}
VERSION=${2:-2026.11.2}
WORK=.build-naf
SHARED=../shared/data
[ -d "$SHARED" ] || SHARED=/work/shared/data

mkdir -p "$WORK"
python3 scripts/models/naf_training_data.py "$WORK/naf-train.csv"
swift build -c release --product streamcoder
BIN=.build/release/streamcoder

train() {
    "$BIN" models train --data "$WORK/naf-train.csv" --text-column text_description --label-column code \
        --labels "$SHARED/naf/naf_rev2_subclasses.csv" \
        --dim 16 --epoch 60 --lr 0.5 --word-ngrams 2 --minn 3 --maxn 5 --bucket 20000 \
        --threads 1 --seed 7 --threshold 0.4 "$@"
}

echo "== held-out quality (10 % of the rows kept out of training)"
train --validation 0.1 --out "$WORK/held-out" --name naf-demo --version "$VERSION-heldout" --quiet
echo "== the package, trained on every row"
train --validation 0 --out "$OUT" --name naf-demo --version "$VERSION"
echo "== the Sirene sample forms"
python3 scripts/models/evaluate-forms.py "$OUT"
