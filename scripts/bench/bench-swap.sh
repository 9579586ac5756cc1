#!/usr/bin/env bash
# Latency and memory of a worker around a hot swap (streamcoder bench swap), for the demo model
# and an 800 MB fastText model (scripts/bench/make-big-model.sh), in a release build.
#   scripts/bench/bench-swap.sh [extra bench swap options]   (needs scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product streamcoder
bin=.build/release/streamcoder
scripts/bench/make-big-model.sh "$bin"
for package in Models/naf-demo .build-bench/naf-big; do
  echo
  "$bin" bench swap --package "$package" "$@"
done
