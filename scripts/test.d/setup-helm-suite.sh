#!/usr/bin/env bash
# Fetches Helm 4.1.4's module source from the Go module proxy (helm.sh/helm/v4@v4.1.4: its
# pkg/cmd/*_test.go tables and testdata), which scripts/helm-suite replays against helm-rs and
# the reference Helm. Kept by the Go module cache; `~/.cache/helm-rs/helm-src/v4.1.4` points at
# pkg/cmd there. Without Go this step says so and succeeds (the suite then skips).
# concurrent: a download only.
set -euo pipefail
version=v4.1.4
link="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helm-src/$version"
if [ -f "$link/helpers_test.go" ]; then exit 0; fi
if ! command -v go >/dev/null; then
  echo "helm-suite: no Go toolchain: Helm's CLI test cases will be skipped"
  exit 0
fi
mod=$(mktemp -d)
trap 'rm -rf "$mod"' EXIT
(cd "$mod" && go mod init helm-suite-fetch >/dev/null 2>&1)
dir=$(cd "$mod" && GOFLAGS=-mod=mod go mod download -json "helm.sh/helm/v4@$version" |
  python3 -c 'import json,sys; print(json.load(sys.stdin).get("Dir",""))')
if [ -z "$dir" ] || [ ! -f "$dir/pkg/cmd/helpers_test.go" ]; then
  echo "helm-suite: helm.sh/helm/v4@$version not available from the module proxy: skipped"
  exit 0
fi
mkdir -p "$(dirname "$link")"
ln -sfn "$dir/pkg/cmd" "$link"
