#!/usr/bin/env bash
# Regenerate the protons codecs: src/**/X.proto -> src/**/X.pb.ts.
# protons writes X.ts, which could be a hand-written module beside the .proto,
# so it writes into a scratch directory and only the renamed file comes back.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find src -name '*.proto' | while read -r proto; do
  name=$(basename "$proto" .proto)
  npx protons --strict --output "$tmp" "$proto"
  out="$(dirname "$proto")/$name.pb.ts"
  mv "$tmp/$name.ts" "$out"
  # A decoder starts every bytes field at a fresh empty array (six per envelope
  # received, ~1.5 % of a receiver's CPU): one shared zero-length array serves,
  # since nothing can be written into it.
  if grep -q 'uint8ArrayAlloc(0)' "$out"; then
    awk '
      /^export / && !done { print "/** The value of an absent bytes field: shared, since a zero-length array cannot be written to (scripts/generate.sh). */"; print "const EMPTY_BYTES = uint8ArrayAlloc(0)"; print ""; done = 1 }
      { gsub(/uint8ArrayAlloc\(0\)/, "EMPTY_BYTES"); print }
    ' "$out" > "$tmp/patched.ts"
    mv "$tmp/patched.ts" "$out"
  fi
done
