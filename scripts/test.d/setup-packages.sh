#!/usr/bin/env bash
# For suite-packages.sh: twine in the bindings' venv (made by setup-bindings.sh), which checks
# the wheel's and sdist's metadata as PyPI would. Packing itself happens in the suite, after the
# Rust build, because the packages carry the helm-rs CLI that build makes.
# Without twine (no PyPI at hand) the suite skips that one check and says why.
set -uo pipefail
source "$(dirname "$0")/bindings-env.sh"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup-packages: no venv at $venv (setup-bindings.sh failed?); suite-packages.sh will say so"
  exit 0
fi
if "$venv/bin/python" -c 'import twine' 2>/dev/null; then
  echo "twine present"
elif timeout 180 "$venv/bin/pip" install -q --disable-pip-version-check 'twine>=5,<8'; then
  echo "twine installed"
else
  echo "setup-packages: twine did not install; suite-packages.sh skips twine check"
fi
exit 0
