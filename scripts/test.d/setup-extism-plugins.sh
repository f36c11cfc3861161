#!/usr/bin/env bash
# Builds the test plugins of helm-rs's extism/v1 (WebAssembly) plugin runtime from their Go
# sources in cli/tests/data/extism-plugins (cli, postrenderer, getter), for
# cli/tests/plugin_extism_cli.rs, which runs them with helm-rs and with Helm 4.1.4 side by side.
#
# Each is a WASI reactor module built by the standard Go toolchain (GOOS=wasip1 GOARCH=wasm,
# -buildmode=c-shared, the entry function exported with //go:wasmexport helm_plugin_main) on
# Extism's Go PDK (github.com/extism/go-pdk, from the Go module proxy, pinned by go.sum).
#
# Cached by the hash of the sources and this script under ~/.cache/helm-rs/extism-plugins/<key>/
# (NAME.wasm for each plugin); `current` points at the newest build (the test reads
# ~/.cache/helm-rs/extism-plugins/current and skips when it is absent). Without Go, or without
# the module, this step prints why and succeeds. A cold build takes ~1 minute a plugin on a
# busy machine (the Go standard library for wasip1 is compiled once).
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=cli/tests/data/extism-plugins
plugins="cli postrenderer getter"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/extism-plugins"
if ! command -v go >/dev/null; then
  echo "extism-plugins: no Go toolchain: the extism/v1 plugin tests will skip"
  exit 0
fi
key=$( (cat "$0"; go version; find "$src" -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)
dir="$cache/$key"
complete=1
for p in $plugins; do [ -s "$dir/$p.wasm" ] || complete=0; done
if [ "$complete" = 1 ]; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
if ! (cd "$src" && go mod download github.com/extism/go-pdk); then
  echo "extism-plugins: github.com/extism/go-pdk could not be downloaded: the extism/v1 plugin tests will skip"
  exit 0
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
for p in $plugins; do
  (cd "$src" && GOOS=wasip1 GOARCH=wasm nice -n 15 go build -buildmode=c-shared -trimpath -buildvcs=false -o "$dir.tmp/$p.wasm" "./$p")
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
ln -sfn "$key" "$cache/current"
echo "extism-plugins: built $plugins in $(( $(date +%s) - start )) s into $dir"
