#!/usr/bin/env bash
# Builds the libFuzzer target over the Wire decoders (Fuzz/WireFuzz) and runs it for a bounded time.
#   scripts/fuzz/run-wire-fuzz.sh [SECONDS] [LIBFUZZER-FLAG...]    (SECONDS defaults to 60; 0 = build only)
# Everything goes to .build-fuzz/ at the repository root: the binary, a working copy of the seed corpus
# (inputs found by earlier runs stay there), crash inputs under artifacts/, and the log of the last run.
# Exits non-zero when the fuzzer finds a crash, a broken invariant, a leak or a timeout.
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

seconds=${1:-60}
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS] [LIBFUZZER-FLAG...]" >&2; exit 2; }

out="$root/.build-fuzz"
binary="$out/wire-fuzz"
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"

command -v swiftc >/dev/null || { echo "swiftc not found: put the Swift toolchain's bin on PATH" >&2; exit 1; }
# The C files must be built by the clang of the Swift toolchain: its sanitizer runtimes are the ones
# swiftc links.
clang="$(dirname "$(readlink -f "$(command -v swiftc)")")/clang"
[ -x "$clang" ] || { echo "no clang beside swiftc ($clang)" >&2; exit 1; }
pkg-config --exists libprotobuf-c || { echo "libprotobuf-c not found: run scripts/setup.sh" >&2; exit 1; }

# Sanitizers: libFuzzer for coverage and the driver, AddressSanitizer because Wire hands raw
# pointers to and from protobuf-c (out-of-bounds reads, double frees and leaks of unpacked messages are
# the bugs worth finding there). ASan makes it about 4x slower (measured: 26,000 against 100,000 inputs
# per second from the seeds), but a minute still runs over a million inputs: worth it.
# Note that Debian's libprotobuf-c.so itself is not instrumented: the fuzzer sees coverage of Wire's
# Swift code and of the generated C, not of protobuf-c's parser.
sanitize=fuzzer,address
c_flags=(-O2 -g -fsanitize=fuzzer-no-link,address -ISources/StreamCoderProtoC/include
         $(pkg-config --cflags libprotobuf-c))
# -assert-config Debug keeps Wire's own `assert`s alive in an optimised build: they are invariants too.
swift_flags=(-O -wmo -g -swift-version 6 -warnings-as-errors -parse-as-library -assert-config Debug
             -sanitize="$sanitize" -use-ld=lld -module-name WireFuzz -module-cache-path "$out/module-cache"
             -I"$root/Sources/CProtobufC" -I"$root/Sources/StreamCoderProtoC/include")
c_sources=("$root"/Sources/StreamCoderProtoC/streamcoder/v1/*.c)
swift_sources=("$root"/Sources/Wire/*.swift "$root"/Fuzz/WireFuzz/*.swift)

# Rebuild only when a source, a header, a module map, this script or the toolchain changed.
fingerprint=$( { swiftc -version 2>&1; cat scripts/fuzz/run-wire-fuzz.sh "${c_sources[@]}" "${swift_sources[@]}" \
  Sources/StreamCoderProtoC/include/module.modulemap Sources/StreamCoderProtoC/include/streamcoder/v1/*.h \
  Sources/CProtobufC/*; } | sha256sum | cut -d' ' -f1)
if [ -x "$binary" ] && [ "$(cat "$out/fingerprint" 2>/dev/null)" = "$fingerprint" ]; then
  echo "wire-fuzz: $binary is up to date"
else
  echo "wire-fuzz: building $binary (-sanitize=$sanitize)"
  start=$SECONDS
  rm -f "$out/fingerprint" "$out"/obj/*.o
  objects=()
  for source in "${c_sources[@]}"; do
    object="$out/obj/$(basename "$source" .c).o"
    "$clang" "${c_flags[@]}" -c "$source" -o "$object"
    objects+=("$object")
  done
  # From inside .build-fuzz/: with -g the driver leaves a WireFuzz-1.swiftmodule in its working directory.
  (cd "$out" && swiftc "${swift_flags[@]}" "${swift_sources[@]}" "${objects[@]}" $(pkg-config --libs libprotobuf-c) \
    -o "$binary")
  echo "$fingerprint" > "$out/fingerprint"
  echo "wire-fuzz: built in $((SECONDS - start)) s"
fi
[ "$seconds" -gt 0 ] || exit 0

# Work on a copy: libFuzzer adds every input that finds new coverage to its first corpus directory,
# and the committed seeds must only change through scripts/fuzz/make-corpus.sh.
cp Fuzz/WireFuzz/corpus/* "$out/corpus/"
# The Swift runtime's own crash backtracer would catch a failed precondition before libFuzzer does (and
# then trip over ASan's shadow memory); off, libFuzzer's handler prints the stack and saves the input.
export SWIFT_BACKTRACE=enable=no
symbolizer="$(dirname "$clang")/llvm-symbolizer"
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"

# -max_len: a form may be 64 KiB (WireLimits.maxFormBytes), plus the selector byte, plus a margin so
# inputs just over the limit exercise the messageTooLarge path. (A result may be 256 KiB; fuzzing that
# size is not worth the slower runs.)
max_len=$((64 * 1024 + 1024))
stamp="$out/artifacts/.run-started"
touch "$stamp"
echo "wire-fuzz: fuzzing for $seconds s; log in $out/fuzz.log"
status=0
"$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@" "$out/corpus" 2>&1 | tee "$out/fuzz.log" \
  || status=${PIPESTATUS[0]}

if [ "$status" -ne 0 ]; then
  echo "wire-fuzz: FAILED (libFuzzer exit status $status). Inputs saved by this run:" >&2
  find "$out/artifacts" -type f -newer "$stamp" ! -name '.*' -printf '  %p\n' >&2
  echo "Reproduce with: SWIFT_BACKTRACE=enable=no $binary INPUT; then see docs/fuzzing.md." >&2
  exit "$status"
fi
echo "wire-fuzz: no crash in $seconds s"
