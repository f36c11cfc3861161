#!/usr/bin/env bash
# Installs the tools that run `helm` as a program, for cli/tests/callers_cli.rs (each run once
# with Helm 4.1.4 and once with helm-rs as its helm, compared):
#   pyhelm3 (PyPI), an asyncio Python client of the helm binary, and yamllint and yamale (which
#   chart-testing's `ct lint` runs; ct itself is built by setup-chart-testing.sh), in a venv at
#   ~/.cache/helm-rs/callers/<key>/venv; `current` points at the newest one.
# Cached by the pinned versions and this script's hash; the test reads
# ~/.cache/helm-rs/callers/current/venv/bin/python and skips when it is absent. Without python3
# or PyPI this step prints why and succeeds. A cold install takes a few seconds (pure-Python
# wheels: pyhelm3, pydantic, PyYAML, yamllint, yamale).
set -euo pipefail
pyhelm3_version=0.5.8
yamllint_version=1.38.0
yamale_version=6.1.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/callers"
if ! command -v python3 >/dev/null; then
  echo "callers: no python3: the pyhelm3 test will skip"
  exit 0
fi
key="pyhelm3-$pyhelm3_version-yamllint-$yamllint_version-yamale-$yamale_version-$(sha256sum "$0" | cut -c1-12)"
dir="$cache/$key"
# The venv is made in place (its scripts, yamllint and yamale among them, name its python by
# absolute path, so it cannot be moved); `ok` marks a finished install.
if [ -f "$dir/ok" ] && "$dir/venv/bin/python" -c 'import pyhelm3, yamllint, yamale' 2>/dev/null; then
  ln -sfn "$key" "$cache/current"
  exit 0
fi
start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
if ! python3 -m venv "$dir/venv"; then
  echo "callers: python3 -m venv failed: the pyhelm3 and ct tests will skip"
  rm -rf "$dir"
  exit 0
fi
if ! "$dir/venv/bin/pip" install -q --disable-pip-version-check "pyhelm3==$pyhelm3_version" \
    "yamllint==$yamllint_version" "yamale==$yamale_version"; then
  echo "callers: pyhelm3, yamllint or yamale could not be installed: their tests will skip"
  rm -rf "$dir"
  exit 0
fi
touch "$dir/ok"
ln -sfn "$key" "$cache/current"
# Earlier versions' venvs are not used any more.
find "$cache" -mindepth 1 -maxdepth 1 -type d -not -name "$key" -exec rm -rf {} +
echo "callers: installed pyhelm3 $pyhelm3_version, yamllint $yamllint_version and yamale $yamale_version in $(( $(date +%s) - start )) s into $dir"
