#!/bin/sh
# Trains the demo model Models/naf-demo with StreamCoder's own trainer, reproducibly (one
# thread, fixed seed: the same weights, bit for bit, on every run), with Insee's text
# preprocessing recorded in the package (--preprocess insee), so that it codes natural text
# ("coiffure à domicile") as it codes registry text ("COIFFURE A DOMICILE").
#
# Data (scripts/models/naf_training_data.py --demo): the 732 NAF rév. 2 sub-classes of
# ../shared/data/naf/naf_rev2_subclasses.csv — label, label65, label40, class, group and division
# labels, and the parts of each label — and the Sirene sample forms of ../shared/data/forms/,
# as written there. About 10 % of the distinct texts (chosen by a hash of the text, so the same
# every time) are kept out of training: data/naf-demo-heldout.csv, which the report below and
# `models evaluate` score the package on.
#
#   scripts/models/train-naf.sh [OUT_DIR] [VERSION]     # default Models/naf-demo 2026.11.4
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-Models/naf-demo}
VERSION=${2:-2026.11.4}
WORK=.build-naf
SHARED=../shared/data
[ -d "$SHARED" ] || SHARED=/work/shared/data

mkdir -p "$WORK"
python3 scripts/models/naf_training_data.py --demo "$WORK/naf-train.csv" data/naf-demo-heldout.csv
swift build -c release --product streamcoder
BIN=.build/release/streamcoder

rm -rf "$OUT"
"$BIN" models train --data "$WORK/naf-train.csv" --validation-data data/naf-demo-heldout.csv \
    --text-column text_description --label-column code --labels "$SHARED/naf/naf_rev2_subclasses.csv" \
    --preprocess insee --dim 16 --epoch 60 --lr 0.5 --word-ngrams 2 --minn 3 --maxn 5 --bucket 20000 \
    --threads 1 --seed 7 --threshold 0.4 --out "$OUT" --name naf-demo --version "$VERSION" --quiet
echo "== the held-out texts (never trained on)"
"$BIN" models evaluate "$OUT" --data data/naf-demo-heldout.csv | sed -n '1,2p;/threshold  automation/,/0.45/p'
