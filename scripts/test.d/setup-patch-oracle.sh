#!/usr/bin/env bash
# Builds scripts/patch-oracle (Go: k8s.io/apimachinery's strategic merge patch and evanphx's
# JSON merge patch with the Go API types' patch metadata, as Helm 4.1.4's client-side apply
# uses them) for helm-core/tests/patch_oracle.rs, the differential test of
# helm_core::release::patch.
#
# Cached by the hash of the program's sources under ~/.cache/helm-rs/patch-oracle/<hash>/;
# `current` points at the newest build (the test runs ~/.cache/helm-rs/patch-oracle/current/
# patch-oracle and skips when it is absent). Without Go or without the modules this step prints
# why and succeeds. A cold build (modules downloaded from the Go module proxy) takes ~2 minutes.
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
here=$(cd "$(dirname "$0")/../patch-oracle" && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/patch-oracle"
if ! command -v go >/dev/null; then
  echo "patch-oracle: no Go toolchain: helm-core's patch_oracle test will skip"
  exit 0
fi
key=$(cat "$0" "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
dir="$cache/$key"
if [ -x "$dir/patch-oracle" ]; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
mkdir -p "$cache"
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
if ! (cd "$here" && GOFLAGS=-mod=mod CGO_ENABLED=0 nice -n 15 go build -trimpath -o "$dir.tmp/patch-oracle" .); then
  echo "patch-oracle: the build failed (modules unavailable?): helm-core's patch_oracle test will skip"
  rm -rf "$dir.tmp"
  exit 0
fi
rm -rf "$dir"
mv "$dir.tmp" "$dir"
ln -sfn "$key" "$cache/current"
echo "patch-oracle: built in $(( $(date +%s) - start )) s into $dir"
