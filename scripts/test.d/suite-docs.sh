#!/usr/bin/env bash
# The crates' API docs build without a warning (broken or private intra-doc links, bad HTML),
# as docs.rs would build them, and the book (examples/book) builds with mdBook without an
# error or warning (its links to chapters resolve). The front-page examples run as doctests
# in `cargo test`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
passed=0; failed=0; skipped=0
if RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p helm-core -p helm-kube -q; then
  passed=$((passed + 1))
else
  echo "cargo doc: warnings or errors above"
  failed=$((failed + 1))
fi
MDBOOK="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/mdbook/0.5.4/bin/mdbook"
if [ -x "$MDBOOK" ]; then
  out=$("$MDBOOK" build examples/book 2>&1); rc=$?
  echo "$out" | tail -5
  if [ $rc = 0 ] && ! echo "$out" | grep -qiE "warn|error"; then
    passed=$((passed + 1))
  else
    echo "mdbook: the book did not build cleanly"
    failed=$((failed + 1))
  fi
else
  echo "suite-docs: mdbook not installed (setup-mdbook.sh); the book is not checked"
  skipped=$((skipped + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
