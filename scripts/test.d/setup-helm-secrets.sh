#!/usr/bin/env bash
# Installs Debian's `age`, the secret backend of the helm-secrets test
# (cli/tests/plugin_secrets_cli.rs; the plugin itself is test data in cli/tests/data). A no-op
# when it is installed; without root or apt-get the test skips, saying why.
set -euo pipefail
if command -v age >/dev/null 2>&1 && command -v age-keygen >/dev/null 2>&1; then
  echo "helm-secrets: age present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "helm-secrets: cannot install age (not root or no apt-get); the test will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq age >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq age >/dev/null; }
echo "helm-secrets: age installed"
