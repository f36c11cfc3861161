#!/usr/bin/env bash
# Installs mdBook from crates.io (pinned, without its `serve`/`watch` features) for the book in
# examples/book, which suite-docs.sh builds. Cached by version under
# ~/.cache/helm-rs/mdbook/<version>; built in a target dir of its own so it never waits for
# the workspace's build. Without cargo or crates.io the book's check is skipped.
# concurrent: a cargo install into its own folders.
set -euo pipefail
version=0.5.4
dir="${XDG_CACHE_HOME:-$HOME/.cache}/helm-rs/mdbook/$version"
if [ -x "$dir/bin/mdbook" ]; then exit 0; fi
rm -rf "$dir.tmp"
if CARGO_TARGET_DIR="$dir.build" nice -n 15 cargo install mdbook --version "$version" --locked \
    --no-default-features --root "$dir.tmp" -q; then
  mv "$dir.tmp" "$dir"
else
  echo "mdbook: cargo install failed; the book's check will be skipped"
fi
rm -rf "$dir.build" "$dir.tmp"
