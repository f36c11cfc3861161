#!/usr/bin/env bash
# Builds the helm-unittest plugin from the Go module proxy, for cli/tests/plugin_unittest_cli.rs
# (`helm plugin install DIR`, `helm plugin list` and `helm unittest CHART` with helm-rs as the
# helm, compared with Helm 4.1.4).
#
# The result is an installable plugin directory, laid out as helm-unittest's release archive
# plus the install hook its plugin.yaml names: plugin.yaml, install-binary.sh, and the binary
# under the name plugin.yaml's platformCommand gives for this OS/arch (untt-linux-amd64 …).
# The hook would download a release binary from GitHub; with SKIP_BIN_INSTALL=1 in its
# environment it exits at once, which is how the test installs the directory offline.
#
# Cached by version (and this script's hash) under ~/.cache/helm-rs/helm-unittest/<key>/plugin;
# `current` points at the newest build (the test reads
# ~/.cache/helm-rs/helm-unittest/current/plugin and skips when it is absent). Without Go or
# without the module this step prints why and succeeds. A cold build (empty Go module and
# build caches, module downloads included) takes ~3 minutes on 2 cores.
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
version=v1.1.2
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helm-unittest"
if ! command -v go >/dev/null; then
  echo "helm-unittest: no Go toolchain: its test will skip"
  exit 0
fi
case "$(go env GOOS)" in
  darwin) os=macos ;;
  *) os=$(go env GOOS) ;;
esac
binary="untt-$os-$(go env GOARCH)"
key="$version-$(sha256sum "$0" | cut -c1-12)"
dir="$cache/$key"
if [ -x "$dir/plugin/$binary" ] && [ -f "$dir/plugin/plugin.yaml" ]; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
export GOFLAGS=-mod=mod
src=$(go mod download -json "github.com/helm-unittest/helm-unittest@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
  echo "helm-unittest: github.com/helm-unittest/helm-unittest@$version could not be downloaded: its test will skip"
  exit 0
fi
if ! grep -q "\$HELM_PLUGIN_DIR/$binary\"" "$src/plugin.yaml"; then
  echo "helm-unittest: its plugin.yaml has no command for $binary: its test will skip"
  exit 0
fi
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/plugin"
# Built inside a copy of the module (as setup-helmfile.sh does): its go.mod has a replace
# directive, which `go install …@version` refuses. The version is linked in as its Makefile does.
cp -r "$src" "$dir.tmp/src"
chmod -R u+w "$dir.tmp/src"
(cd "$dir.tmp/src" && CGO_ENABLED=0 nice -n 15 go build -trimpath \
  -ldflags="-s -w -X github.com/helm-unittest/helm-unittest/internal/build.version=${version#v}" \
  -o "$dir.tmp/plugin/$binary" ./cmd/helm-unittest)
cp "$src/plugin.yaml" "$src/install-binary.sh" "$src/LICENSE" "$dir.tmp/plugin/"
chmod -R u+w "$dir.tmp/plugin"
chmod +x "$dir.tmp/plugin/install-binary.sh"
rm -rf "$dir.tmp/src"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
ln -sfn "$key" "$cache/current"
echo "helm-unittest: built $version in $(( $(date +%s) - start )) s into $dir/plugin"
