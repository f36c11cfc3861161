#!/usr/bin/env bash
# Builds helmfile from the Go module proxy, for cli/tests/helmfile_cli.rs (helmfile's `apply`
# and `diff` with helm-rs as its helm, compared with Helm 4.1.4 and the helm-diff plugin).
#
# helmfile's go.mod has replace directives, so `go install …@version` refuses it: the module
# is downloaded, copied and built in place. Cached by version (and this script's hash) under
# ~/.cache/helm-rs/helmfile/<key>/; `current` points at the newest build; the test reads
# ~/.cache/helm-rs/helmfile/current/helmfile and skips when it is absent. Without Go this step
# prints why and succeeds. A cold build takes ~5 minutes on 2 cores (module downloads included).
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
version=v1.8.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helmfile"
if ! command -v go >/dev/null; then
  echo "helmfile: no Go toolchain: its tests will skip"
  exit 0
fi
key="$version-$(sha256sum "$0" | cut -c1-12)"
dir="$cache/$key"
if [ -x "$dir/helmfile" ]; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
export GOFLAGS=-mod=mod
src=$(go mod download -json "github.com/helmfile/helmfile@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  echo "helmfile: github.com/helmfile/helmfile@$version could not be downloaded: its tests will skip"
  exit 0
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
cp -r "$src" "$dir.tmp/src"
chmod -R u+w "$dir.tmp/src"
(cd "$dir.tmp/src" && nice -n 15 go build -trimpath -ldflags='-s -w' -o "$dir.tmp/helmfile" .)
rm -rf "$dir.tmp/src"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
ln -sfn "$key" "$cache/current"
echo "helmfile: built $version in $(( $(date +%s) - start )) s into $dir"
