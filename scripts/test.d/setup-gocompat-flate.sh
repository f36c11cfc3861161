#!/usr/bin/env bash
# Builds gogzip (helm-core/tests/gocompat-flate/main.go: Go's compress/gzip over stdin) for the
# differential tests in helm-core/tests/gocompat_flate.rs, which compare our port of Go's
# DEFLATE compressor with Go's own output byte for byte.
#
# Cached under ~/.cache/helm-rs/gocompat-flate/<first 12 hex of the source's SHA-256>/gogzip
# (the test computes the same key, so an edited source is never tested against a stale
# binary). Without Go this step prints why and succeeds; the test then skips.
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src="$root/helm-core/tests/gocompat-flate/main.go"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/gocompat-flate"
if ! command -v go >/dev/null; then
  echo "gocompat-flate: no Go toolchain: its differential tests will skip"
  exit 0
fi
key=$(sha256sum "$src" | cut -c1-12)
dir="$cache/$key"
if [ -x "$dir/gogzip" ]; then
  exit 0
fi
mkdir -p "$dir.tmp"
(cd "$dir.tmp" && GOTOOLCHAIN=local GOFLAGS= CGO_ENABLED=0 nice -n 15 go build -trimpath -o gogzip "$src")
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "gocompat-flate: built gogzip ($(go env GOVERSION)) into $dir"
