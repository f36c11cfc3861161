#!/usr/bin/env bash
# The crates' API docs build without a warning (broken or private intra-doc links, bad HTML),
# as docs.rs would build them. The front-page examples run as doctests in `cargo test`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
if RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p helm-core -p helm-kube -q; then
  echo "1 passed, 0 failed, 0 skipped"
else
  echo "cargo doc: warnings or errors above"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
