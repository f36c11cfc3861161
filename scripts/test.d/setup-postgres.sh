#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the tests of Helm's `sql` storage driver
# (scripts/pg-testenv starts a throwaway server from it). A no-op when it is installed.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "postgres: server binaries present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "postgres: cannot install (not root or no apt-get); the sql driver tests will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq postgresql >/dev/null
echo "postgres: installed"
