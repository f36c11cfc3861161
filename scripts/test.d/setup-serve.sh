#!/usr/bin/env bash
# Installs schemathesis (PyPI) into ~/.cache/helm-rs/venv-serve for suite-serve.sh.
# Idempotent: a present venv with schemathesis is left alone.
set -euo pipefail
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/venv-serve"
if [ -x "$VENV/bin/schemathesis" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q schemathesis
