#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the web view's browser test
# (helm-kube/tests/server_web.rs: headless Chromium over WebDriver). A no-op when both are
# present; without root or apt-get the test skips, saying why.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "web: cannot install chromium (not root or no apt-get); the browser test will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null; then
  echo "web: chromium and chromedriver installed"
else
  echo "web: installing chromium failed; the browser test will skip"
fi
