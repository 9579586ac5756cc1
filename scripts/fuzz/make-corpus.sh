#!/usr/bin/env bash
# Regenerates Fuzz/WireFuzz/corpus, the seed corpus of the Wire fuzzer (docs/fuzzing.md), from the
# protoc-made fixtures of Tests/WireTests/Fixtures, text-format messages below (encoded by protoc) and a
# few hand-written byte strings. Deterministic: running it twice gives the same files.
# Each seed is one selector byte (bits 0-1: 0 form, 1 result, 2 directive, 3 report; bit 2: tight
# limits, see Fuzz/WireFuzz/FuzzInput.swift) followed by the message bytes.
#   scripts/fuzz/make-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

corpus=Fuzz/WireFuzz/corpus
fixtures=Tests/WireTests/Fixtures
command -v protoc >/dev/null \
  || { echo "protoc not found: run scripts/setup.sh (Debian package protobuf-compiler)" >&2; exit 1; }
rm -rf "$corpus"
mkdir -p "$corpus"

declare -A selectors=([form]=0 [result]=1 [directive]=2 [report]=3)
declare -A messages=([form]=streamcoder.v1.RegistryForm [result]=streamcoder.v1.CodingResult
                     [directive]=streamcoder.v1.ModelDirective [report]=streamcoder.v1.WorkerReport)
declare -A kinds
for kind in "${!messages[@]}"; do kinds[${messages[$kind]}]=$kind; done

# seed NAME KIND [tight]: standard input, behind the selector byte, becomes corpus/NAME.
seed() {
  local selector=${selectors[$2]}
  [ "${3:-}" = tight ] && selector=$((selector + 4))
  { printf "\\x$(printf %02x "$selector")"; cat; } > "$corpus/$1"
}

# encode KIND: protobuf text format on standard input, encoded by protoc as that contract message.
encode() { protoc -IProto --encode="${messages[$1]}" Proto/streamcoder/v1/service.proto; }

# text_seed NAME KIND TEXT: a text-format message as a seed under the default limits.
text_seed() { encode "$2" <<< "$3" | seed "$1" "$2"; }

# N repetitions of a character, for texts at and just past a length limit.
repeat() { printf "%$2s" "" | tr ' ' "$1"; }

# The fixtures, each as its own type (default and tight limits) and as each of the other types.
for text in "$fixtures"/*.txtpb; do
  name=$(basename "$text" .txtpb)
  kind=${kinds[$(sed -n 's/^# proto-message: *//p' "$text")]}
  seed "$name" "$kind" < "$fixtures/$name.bin"
  seed "$name-tight" "$kind" tight < "$fixtures/$name.bin"
  for other in form result directive report; do
    [ "$other" = "$kind" ] || seed "$name-as-$other" "$other" < "$fixtures/$name.bin"
  done
done

# Forms at the edges of the contract.
text_seed form-blank-description form 'description_activity: " \t\n "'
text_seed form-no-description form 'form_id: "F-2" siren: "123456789"'
text_seed form-negative-surface form 'description_activity: "x" surface { square_metres: -0.5 }'
text_seed form-nan-surface form 'description_activity: "x" surface { square_metres: nan }'
text_seed form-negative-zero-surface form 'description_activity: "x" surface { square_metres: -0.0 }'
text_seed form-negative-time form 'description_activity: "x" submitted_at_unix_ms: -1'
text_seed form-multibyte form 'description_activity: "café 🥐 élevage ovin" event: "01P" cj: "5710"'
text_seed form-description-at-limit form "description_activity: \"$(repeat a 2000)\""
text_seed form-description-over-limit form "description_activity: \"$(repeat a 2001)\""
text_seed form-code-over-limit form "description_activity: \"x\" siren: \"$(repeat 9 65)\""
text_seed form-id-at-limit form "description_activity: \"x\" form_id: \"$(repeat F 256)\""

# Results: open enums, out-of-range numbers, and an embedded form that breaks the form contract.
text_seed result-unknown-enums result 'form_id: "F" decision: 7 status { code: 99 message: "new" }'
text_seed result-probability-over-one result 'form_id: "F" candidates { code: "5610A" probability: 1.5 }'
text_seed result-infinite-contribution result 'form_id: "F" explanation { tokens { token: "pain" contribution: inf } }'
text_seed result-nan-confidence result 'form_id: "F" confidence_index: nan'
text_seed result-invalid-form result \
  'form_id: "F" decision: DECISION_REJECTED form { description_activity: "  " surface { square_metres: nan } }'
text_seed result-form-negative-zero-surface result 'form_id: "F" form { surface { square_metres: -0.0 } }'
text_seed result-many-candidates result "form_id: \"F\" $(for i in 1 2 3 4 5 6 7 8; do
  printf 'candidates { code: "000%sZ" label: "l%s" probability: 0.1%s } ' "$i" "$i" "$i"; done)"

# Directives a worker must refuse.
text_seed directive-no-model directive 'generation: 1 package { uri: "file:///m" }'
text_seed directive-no-version directive 'generation: 1 package { model { name: "naf" } }'
text_seed directive-canary-over-one directive \
  'generation: 2 package { model { name: "naf" version: "1" } } canary_fraction: 1.5'
text_seed directive-canary-nan directive 'package { model { name: "naf" version: "1" } } canary_fraction: nan'

# Reports: absent sub-messages, explicit zero counters.
text_seed report-load-error-no-model report 'worker_id: "w" load_errors { error: "unreadable" } load_errors { }'
text_seed report-zero-counters report 'worker_id: "w" counters { }'

# Raw bytes protoc will not write: unknown fields of every wire type, repeated and merged fields,
# wrong wire types, bad strings, varints and lengths.
{ cat "$fixtures/form_minimal.bin"
  printf '\xf8\x06\x01\x9a\x07\x02ab\xa5\x07\x01\x02\x03\x04\xa1\x07\x01\x02\x03\x04\x05\x06\x07\x08'; } \
  | seed form-unknown-fields form
printf '\x1a\x03old\x1a\x03new\x42\x09\x09\x00\x00\x00\x00\x00\x00\xf0\x3f\x42\x00' | seed form-repeated-fields form
printf '\x1a\x01x\x40\x01' | seed form-surface-wrong-wire-type form
printf '\x1a\x02\xc3\x28' | seed form-invalid-utf8 form
printf '\x1a\x03a\x00b' | seed form-nul-byte form
printf '\x1a\x85\x80\x80\x80\x00abcde' | seed form-overlong-length form
printf '\x1a\xff\xff\xff\xff\x0fa' | seed form-lying-length form
printf '\x1a\x01x\xf8\xff\xff\xff\xff\x0f\x01' | seed form-huge-tag form
printf '\x0a\x01x\x10\xff\xff\xff\xff\x0f' | seed result-negative-decision result
printf '\x0a\x01x\x4a\x04\x1a\x02\xe2\x82' | seed result-form-cut-utf8 result
printf '\x0a\x01w\x2a\x00\x2a\x00\x2a\x02\x12\x00\x32\x00' | seed report-empty-submessages report
for kind in form result directive report; do seed "$kind-empty" "$kind" < /dev/null; done

echo "$corpus: $(ls "$corpus" | wc -l) seeds, $(cat "$corpus"/* | wc -c) bytes"
