#!/usr/bin/env bash
# Fetches Helm 4.1.4's module source from the Go module proxy (helm.sh/helm/v4@v4.1.4: its
# pkg/cmd/*_test.go tables and testdata), which scripts/helm-suite replays against helm-rs and
# the reference Helm. Kept by the Go module cache; `~/.cache/helm-rs/helm-src/v4.1.4` points at
# pkg/cmd there. Then builds scripts/helm-suite/stage, the Go program that writes the releases
# those cases expect (their `rels`) into the test cluster with Helm's own storage code, cached
# under ~/.cache/helm-rs/helm-suite-stage/ by a hash of its sources (scripts/helm-suite/stage.py).
# Without Go this step says so and succeeds (the suite then skips what it cannot run).
# concurrent: a download and a Go build that touch nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
version=v4.1.4
link="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helm-src/$version"
if ! command -v go >/dev/null; then
  echo "helm-suite: no Go toolchain: Helm's CLI test cases will be skipped"
  exit 0
fi
if [ ! -f "$link/helpers_test.go" ]; then
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
fi
python3 "$ROOT/scripts/helm-suite/stage.py" ensure "$link"
