#!/usr/bin/env bash
# Helm 4.1.4's own command-line test cases (pkg/cmd/*_test.go, fetched by
# setup-helm-suite.sh) replayed as processes against helm-rs and the reference Helm on a
# private test API server (scripts/helm-suite/run.py), with the releases a case expects
# written there first by scripts/helm-suite/stage (Helm's own storage code). Every case in
# cli/tests/data/helm_suite_agree.txt must still agree (a regression fails); the others are
# reported. Re-record that list with HELM_SUITE_RECORD=1. Ends with `N passed, N failed, N
# skipped` (skipped: cases not replayable as processes, and known differences).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PKG="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/helm-src/v4.1.4"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/helm-rs"
ORACLE="$ROOT/../shared/tools/helm-oracle"
[ -x "$ORACLE" ] || ORACLE=/work/shared/tools/helm-oracle
if [ ! -f "$PKG/helpers_test.go" ]; then bash "$ROOT/scripts/test.d/setup-helm-suite.sh" >/dev/null 2>&1 || true; fi
if [ ! -f "$PKG/helpers_test.go" ] || [ ! -x "$BIN" ] || [ ! -x "$ORACLE" ]; then
  echo "suite-helm-cli: Helm's source, $BIN or the reference Helm missing; skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
WORK="$(mktemp -d)"
KENV="$WORK/kenv"
cleanup() {
  "$ROOT/scripts/kube-testenv" stop "$KENV" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
KC=()
if HELM_RS_TESTENV_CONTROLLERS=0 HELM_RS_TESTENV_WATCH_PID=$$ "$ROOT/scripts/kube-testenv" start "$KENV" >/dev/null 2>&1; then
  KC=(--kubeconfig "$KENV/kubeconfig")
fi
# The program that writes the releases the cases expect (built by setup-helm-suite.sh).
STAGE="$(python3 "$ROOT/scripts/helm-suite/stage.py" path "$PKG")"
if [ ! -x "$STAGE" ]; then bash "$ROOT/scripts/test.d/setup-helm-suite.sh" >/dev/null 2>&1 || true; fi
ST=()
[ -x "$STAGE" ] && ST=(--stage "$STAGE")
RECORD=()
[ "${HELM_SUITE_RECORD:-0}" = 1 ] && RECORD=(--record)
python3 "$ROOT/scripts/helm-suite/run.py" --helm-rs "$BIN" --helm "$ORACLE" --pkg "$PKG" \
  "${KC[@]}" "${ST[@]}" --baseline "$ROOT/cli/tests/data/helm_suite_agree.txt" "${RECORD[@]}"
