#!/usr/bin/env bash
# schemathesis against /openapi.json of a live `helm-rs serve` (only 127.0.0.1): every
# generated request must get a non-5xx answer. With the test environment's API server the
# cluster endpoints are exercised twice, with an unknown token (401s from Kubernetes) and with
# the admin token (real installs of generated bodies); without it only the endpoints that need
# no cluster (template, health, openapi) run. The server's own log counts the requests tried.
# Ends with `N passed, N failed, N skipped` (N = schemathesis test cases).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/venv-serve"
ST="$VENV/bin/schemathesis"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/helm-rs"
if [ ! -x "$ST" ]; then bash "$ROOT/scripts/test.d/setup-serve.sh" >/dev/null 2>&1 || true; fi
if [ ! -x "$ST" ] || [ ! -x "$BIN" ]; then
  echo "suite-serve: schemathesis or $BIN missing; skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi
WORK="$(mktemp -d)"
KENV="$WORK/kenv"
cleanup() {
  [ -n "${SP:-}" ] && kill "$SP" 2>/dev/null && wait "$SP" 2>/dev/null
  "$ROOT/scripts/kube-testenv" stop "$KENV" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
HAVE_KUBE=0
if HELM_RS_TESTENV_WATCH_PID=$$ "$ROOT/scripts/kube-testenv" start "$KENV" >/dev/null 2>&1; then HAVE_KUBE=1; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ $HAVE_KUBE = 1 ]; then KC="$KENV/kubeconfig"; else KC="$WORK/none"; echo "x: y" > "$KC"; fi
"$BIN" serve --listen "127.0.0.1:$PORT" --kubeconfig "$KC" --request-timeout 20 --shutdown-grace 5 2>"$WORK/serve.log" &
SP=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
passed=0; failed=0; skipped=0
run() { # label, token, extra args...
  local label="$1" token="$2"; shift 2
  local out
  # From the scratch directory: schemathesis keeps a cache (.schemathesis/) in its cwd.
  out=$(cd "$WORK" && timeout 600 "$ST" run "http://127.0.0.1:$PORT/openapi.json" -c not_a_server_error -n "${SERVE_MAX_EXAMPLES:-20}" \
        -H "Authorization: Bearer $token" --request-timeout 30 --no-color "$@" 2>&1)
  local rc=$?
  echo "$out" | tail -25
  local line gen pas fai
  line=$(echo "$out" | grep -E '[0-9]+ generated' | tail -1)
  gen=$(echo "$line" | grep -oE '[0-9]+ generated' | grep -oE '[0-9]+'); gen=${gen:-0}
  pas=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); pas=${pas:-0}
  fai=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+'); fai=${fai:-0}
  if [ "$rc" != 0 ] && [ "$fai" = 0 ]; then fai=1; fi
  echo "suite-serve [$label]: $gen test cases, $pas passed, $fai failed (exit $rc)"
  passed=$((passed + pas)); failed=$((failed + fai))
}
if [ $HAVE_KUBE = 1 ]; then
  run "unknown token" "not-a-real-token"
  run "admin token" "$(cat "$KENV/token")"
else
  echo "suite-serve: no kube test environment; cluster endpoints skipped"
  run "no cluster" "any-token" --include-path-regex '^/(v1/template|healthz|readyz|openapi.json)$'
  skipped=1
fi
requests=$(grep -c '"msg":"request"' "$WORK/serve.log")
fivexx=$(grep '"msg":"request"' "$WORK/serve.log" | grep -cE '"status":5[0-9][0-9]')
echo "suite-serve: the server answered $requests requests, $fivexx of them 5xx"
grep '"msg":"request"' "$WORK/serve.log" | grep -oE '"status":[0-9]+' | sort | uniq -c
if [ "$fivexx" != 0 ]; then failed=$((failed + 1)); grep -E '"status":5[0-9][0-9]' "$WORK/serve.log" | head -5; fi
echo "$passed passed, $failed failed, $skipped skipped"
