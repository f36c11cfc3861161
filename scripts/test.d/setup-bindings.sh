#!/usr/bin/env bash
# Builds and installs the Python and Node bindings for suite-bindings.sh.
#   Python: a venv in ~/.cache/helm-rs/venv with maturin and pytest; the helm_rs wheel built by
#           maturin (release) and installed into it.
#   Node:   npm ci + `npm run build` (napi, release) inside bindings-node/.
# Both share one Cargo target dir (~/.cache/helm-rs/target-bind) so helm-core builds once.
# Idempotent: a build is skipped when a hash of its sources matches the last successful one.
# A failed build is reported and left to suite-bindings.sh to count as a failure, so the rest
# of the project's tests still run.
set -uo pipefail
source "$(dirname "$0")/bindings-env.sh"
export CARGO_TARGET_DIR="$cache/target-bind"
# The bindings built for the tests are optimised less than a published wheel or package
# (opt-level 1 instead of 3): on a cold machine that halves their build, and the suites take
# seconds either way.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}"
mkdir -p "$cache" "$CARGO_TARGET_DIR"

sources_hash() { # the files a binding is built from
  (cd "$root" && find "$@" helm-core/src helm-core/Cargo.toml helm-kube/src helm-kube/Cargo.toml -type f \
     -not -path '*/node_modules/*' -not -path '*/__pycache__/*' -not -name '*.node' -print0 \
     | sort -z | xargs -0 sha256sum; echo "opt-level $CARGO_PROFILE_RELEASE_OPT_LEVEL") | sha256sum | cut -d' ' -f1
}

build_python() {
  set -e
if ! command -v python3 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv "$venv"; }
fi
if ! "$venv/bin/python" -c 'import maturin, pytest' 2>/dev/null && ! { [ -x "$venv/bin/maturin" ] && "$venv/bin/python" -c 'import pytest' 2>/dev/null; }; then
  "$venv/bin/pip" install -q --disable-pip-version-check 'maturin>=1.5,<2' 'pytest>=7'
fi
py_hash=$(sources_hash bindings-python)
if [ "$(cat "$cache/bindings-python.stamp" 2>/dev/null)" != "$py_hash" ] || ! "$venv/bin/python" -c 'import helm_rs' 2>/dev/null; then
  echo "building the Python binding (maturin, release)"
  # A failed build must not leave the previous binding in place for the suite to test.
  rm -f "$cache/bindings-python.stamp"; "$venv/bin/pip" uninstall -q -y helm-rs >/dev/null 2>&1 || true
  rm -rf "$CARGO_TARGET_DIR/wheels"
  (cd "$root/bindings-python" && nice -n 10 "$venv/bin/maturin" build --release --locked -q -i "$venv/bin/python" -o "$CARGO_TARGET_DIR/wheels")
  "$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$CARGO_TARGET_DIR"/wheels/helm_rs-*.whl
  echo "$py_hash" > "$cache/bindings-python.stamp"
else
  echo "Python binding up to date"
fi
}

build_node() {
  set -e
if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
node_hash=$(sources_hash bindings-node)
if [ "$(cat "$cache/bindings-node.stamp" 2>/dev/null)" != "$node_hash" ] || [ ! -f "$root/bindings-node/helm-rs.node" ]; then
  echo "building the Node binding (napi, release)"
  cd "$root/bindings-node"
  rm -f "$cache/bindings-node.stamp" helm-rs.node
  npm ci --no-audit --no-fund --loglevel=error
  nice -n 10 npm run build --silent
  echo "$node_hash" > "$cache/bindings-node.stamp"
else
  echo "Node binding up to date"
fi
}

(build_python) || echo "setup-bindings: the Python binding did not build; its suite will fail"
(build_node) || echo "setup-bindings: the Node binding did not build; its suite will fail"
exit 0
