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
  mv "$tmp/$name.ts" "$(dirname "$proto")/$name.pb.ts"
done
