#!/usr/bin/env bash
# Runs the Python (pytest) and Node (node --test) suites of the bindings against what
# setup-bindings.sh built, and ends with one line `N passed, N failed, N skipped` for both.
# The suites compare with the helm-rs CLI and the Rust example of the workspace build.
set -uo pipefail
source "$(dirname "$0")/bindings-env.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
export HELM_RS_BIN="${HELM_RS_BIN:-$CARGO_TARGET_DIR/debug/helm-rs}"
if [ ! -x "$HELM_RS_BIN" ] || [ ! -x "$CARGO_TARGET_DIR/debug/examples/render-kinds" ]; then
  (cd "$root" && cargo build -q -p helm-rs-cli -p helm-core --bins --examples)
fi
logs="$(mktemp -d)"
P=0 F=0 S=0

count() { # FILE WORD: the number before WORD in pytest's closing summary line
  grep -E ' in [0-9.]+s' "$1" | tail -1 | grep -oE "[0-9]+ $2" | grep -oE '^[0-9]+' || echo 0
}

tally() { # RC PASSED FAILED SKIPPED: one suite's counts; a failed run that counted no failure counts one
  local f=$3
  [ "$1" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  P=$((P + $2)) F=$((F + f)) S=$((S + $4))
}

echo "== pytest bindings-python/tests"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import helm_rs' 2>/dev/null; then
  (cd "$root/bindings-python" && "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider tests) 2>&1 | tee "$logs/py.log"
  rc=${PIPESTATUS[0]}
  p=$(count "$logs/py.log" passed); f=$(count "$logs/py.log" failed); e=$(count "$logs/py.log" error); s=$(count "$logs/py.log" skipped)
  tally "$rc" "$p" "$((f + e))" "$s"
else
  echo "helm_rs is not installed in $venv (setup-bindings.sh failed?)"
  F=$((F + 1))
fi

echo "== node --test bindings-node/test"
if [ -f "$root/bindings-node/helm-rs.node" ]; then
  (cd "$root/bindings-node" && node --test --test-reporter=tap test/) 2>&1 | tee "$logs/node.log"
  rc=${PIPESTATUS[0]}
  p=$(grep -E '^# pass ' "$logs/node.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -E '^# fail ' "$logs/node.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  s=$(grep -E '^# skipped ' "$logs/node.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  c=$(grep -E '^# cancelled ' "$logs/node.log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  tally "$rc" "$p" "$((f + c))" "$s"
else
  echo "bindings-node/helm-rs.node is missing (setup-bindings.sh failed?)"
  F=$((F + 1))
fi

rm -rf "$logs"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
