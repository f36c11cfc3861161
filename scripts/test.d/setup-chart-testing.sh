#!/usr/bin/env bash
# Builds chart-testing's `ct` from the Go module proxy, for cli/tests/callers_cli.rs (`ct lint`
# with helm-rs as the `helm` on its PATH, compared with Helm 4.1.4). ct also needs yamllint and
# yamale, which scripts/test.d/setup-callers.sh installs into its venv, and its two config
# files (chart_schema.yaml, lintconf.yaml), copied from the module into etc/ beside the binary
# (the test points CT_CONFIG_DIR there).
#
# Cached by version (and this script's hash) under ~/.cache/helm-rs/chart-testing/<key>/;
# `current` points at the newest build; the test reads
# ~/.cache/helm-rs/chart-testing/current/ct and skips when it is absent. Without Go this step
# prints why and succeeds. A cold build takes a few minutes on 2 cores (module downloads
# included).
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
version=v3.14.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/chart-testing"
if ! command -v go >/dev/null; then
  echo "chart-testing: no Go toolchain: its test will skip"
  exit 0
fi
key="$version-$(sha256sum "$0" | cut -c1-12)"
dir="$cache/$key"
if [ -x "$dir/ct" ] && [ -f "$dir/etc/chart_schema.yaml" ]; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
src=$(go mod download -json "github.com/helm/chart-testing/v3@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  echo "chart-testing: github.com/helm/chart-testing/v3@$version could not be downloaded: its test will skip"
  exit 0
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/etc"
# Built inside a copy of the module (as setup-helmfile.sh does): `go install …@version` asks the
# proxy for the module's version list, which it refuses here.
cp -r "$src" "$dir.tmp/src"
chmod -R u+w "$dir.tmp/src"
(cd "$dir.tmp/src" && GOFLAGS=-mod=mod nice -n 15 go build -trimpath -ldflags='-s -w' -o "$dir.tmp/ct" ./ct)
cp "$src/etc/chart_schema.yaml" "$src/etc/lintconf.yaml" "$dir.tmp/etc/"
rm -rf "$dir.tmp/src"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
ln -sfn "$key" "$cache/current"
echo "chart-testing: built ct $version in $(( $(date +%s) - start )) s into $dir"
