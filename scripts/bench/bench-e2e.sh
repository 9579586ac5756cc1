#!/usr/bin/env bash
# One worker against the embedded broker, beside the Python worker a user would otherwise write
# (scripts/bench/python_worker.py), on the same broker, forms and fastText model.
#   scripts/bench/bench-e2e.sh [extra bench e2e options]
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import fasttext, confluent_kafka, google.protobuf" 2>/dev/null ||
  python3 -m pip install -q fasttext-numpy2 confluent-kafka protobuf
swift build -c release --product streamcoder
# The same model for both: the demo's fastText .bin, and its import as our package.
python3 scripts/models/make-demo-model.py >/dev/null
rm -rf .build-bench/naf-demo-e2e
.build/release/streamcoder models import-fasttext .build-demo-model/naf-demo.bin --out .build-bench/naf-demo-e2e \
  --name naf-demo --version bench --threshold 0.4 >/dev/null
.build/release/streamcoder bench e2e --package .build-bench/naf-demo-e2e --fasttext-model .build-demo-model/naf-demo.bin "$@"
