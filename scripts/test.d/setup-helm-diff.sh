#!/usr/bin/env bash
# Builds the helm-diff plugin and scripts/helm-diff-ref (helm-diff's own parse + report code
# driven on two manifest files) from the vendored helm-diff source, the reference that
# helm-core's plan tests and the CLI's `diff` tests compare against.
#
# Cached by the hash of the source archive and of the reference program under
# ~/.cache/helm-rs/helm-diff/<hash>/; `current` points at the newest build. Tests read
# ~/.cache/helm-rs/helm-diff/current/{plugins/diff/bin/diff,bin/helm-diff-ref} and skip when
# they are absent. Without Go or without the vendored archive this step prints why and
# succeeds (the tests then skip).
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tgz="${HELM_DIFF_TGZ:-$root/../shared/vendor/helm-diff-v3.15.11.tgz}"
[ -f "$tgz" ] || tgz=/work/shared/vendor/helm-diff-v3.15.11.tgz
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helm-diff"
if [ ! -f "$tgz" ]; then
  echo "helm-diff: source archive absent ($tgz): its tests will skip"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "helm-diff: no Go toolchain: its tests will skip"
  exit 0
fi
ref="$root/scripts/helm-diff-ref"
hash=$(cat "$tgz" "$ref/main.go" "$0" | sha256sum | cut -c1-16)
dir="$cache/$hash"
if [ -x "$dir/plugins/diff/bin/diff" ] && [ -x "$dir/bin/helm-diff-ref" ]; then
  ln -sfn "$hash" "$cache/current"
  exit 0
fi
start=$(date +%s)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/src" "$dir.tmp/ref" "$dir.tmp/bin" "$dir.tmp/plugins/diff/bin"
tar xzf "$tgz" -C "$dir.tmp/src"
export GOFLAGS=-mod=mod
(cd "$dir.tmp/src" && nice -n 15 go build -trimpath -o "$dir.tmp/plugins/diff/bin/diff" .)
cp "$dir.tmp/src/plugin.yaml" "$dir.tmp/plugins/diff/plugin.yaml"
# The reference program: its own module, helm-diff replaced by the unpacked source, the
# dependency versions taken from helm-diff's go.sum.
cp "$ref/main.go" "$dir.tmp/ref/"
cp "$dir.tmp/src/go.sum" "$dir.tmp/ref/go.sum"
go_version=$(sed -n 's/^go //p' "$dir.tmp/src/go.mod")
cat > "$dir.tmp/ref/go.mod" <<MOD
module helm-rs/helm-diff-ref

go $go_version

require github.com/databus23/helm-diff/v3 v3.15.11

replace github.com/databus23/helm-diff/v3 => $dir/src
MOD
# The replace must name the final directory: move first, then build the reference.
rm -rf "$dir"
mv "$dir.tmp" "$dir"
(cd "$dir/ref" && nice -n 15 go build -trimpath -o "$dir/bin/helm-diff-ref" .)
ln -sfn "$hash" "$cache/current"
echo "helm-diff: built in $(( $(date +%s) - start )) s into $dir"
