#!/usr/bin/env bash
# For suite-packages.sh: twine in the bindings' venv (made by setup-bindings.sh), which checks
# the wheel's and sdist's metadata as PyPI would, and auditwheel, which checks that the wheel's
# manylinux tag matches the symbols its binaries use. Packing itself happens in the suite, after
# the Rust build, because the packages carry the helm-rs CLI that build makes.
# Without them (no PyPI at hand) the suite skips those checks and says why.
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
if "$venv/bin/python" -c 'import auditwheel' 2>/dev/null; then
  echo "auditwheel present"
elif timeout 180 "$venv/bin/pip" install -q --disable-pip-version-check 'auditwheel>=6,<7'; then
  echo "auditwheel installed"
else
  echo "setup-packages: auditwheel did not install; suite-packages.sh skips the audit"
fi
exit 0
