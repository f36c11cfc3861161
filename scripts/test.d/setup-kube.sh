#!/usr/bin/env bash
# Ensures the Kubernetes test environment's binaries (etcd, kube-apiserver,
# kube-controller-manager) are built and cached before `cargo test`, so the
# release integration tests (helm-kube/tests, cli/tests) run against a real API
# server instead of skipping. Cached under ~/.cache/helm-rs/testenv: a no-op
# when already built; a cold build takes 15-35 minutes on 2 cores (once).
# concurrent: a Go build only (scripts/test runs it beside the Rust build).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -n "${HELM_RS_TESTENV_BIN:-}" ]; then
  echo "kube test env: using binaries in $HELM_RS_TESTENV_BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "kube test env: go is not installed; the cluster tests will skip"
  exit 0
fi
"$root/scripts/kube-testenv" build
