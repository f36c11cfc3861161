#!/usr/bin/env bash
# Installs what the repository tests need: Debian's docker-registry (an OCI distribution
# registry the tests start on 127.0.0.1), gpg (to make signing keys), python3 (a TLS file
# server). Idempotent: does nothing when they are already installed.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup-repo: docker-registry, gpg and python3 present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# docker-registry's postinst may try to start a service; policy-rc.d denials are harmless.
$SUDO apt-get install -y -qq "${need[@]}"
