#!/usr/bin/env bash
# Builds what PyPI gets for helm_rs: a wheel that carries the `helm-rs` CLI beside the module
# (pip puts it on PATH, as ruff and uv do) and, with --sdist, the source distribution.
#
# usage: scripts/build-dist.sh [--bin FILE] [--out DIR] [--sdist] [--no-strip] [-- MATURIN-ARGS…]
#   --bin     the CLI to ship (default: $CARGO_TARGET_DIR/release/helm-rs, from
#             `cargo build --release -p helm-rs-cli` at the repository root; a published release
#             builds that or the `dist` profile first. The test suite passes its debug build.)
#   --out     where the wheel (and sdist) go (default: dist/)
#   --sdist   also `maturin sdist`: the binding's sources with helm-core and helm-kube vendored
#             (maturin rewrites the path dependencies). Built from it, pip compiles the module
#             only, so an sdist install has no CLI; find_helm_rs_bin() says so.
#   --no-strip  keep the CLI's debug info (stripped by default: 160 MB -> 40 MB for a debug build)
#   MATURIN-ARGS  passed to `maturin build`, e.g. `-i python3.12`, or `--target
#             aarch64-unknown-linux-gnu` with a cross toolchain, whose CLI (built with the same
#             --target) is then the one to pass as --bin (and STRIP=aarch64-linux-gnu-strip).
# maturin is taken from PATH, else from the venv that scripts/test.d/setup-bindings.sh makes.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
bin_file="${CARGO_TARGET_DIR:-$repo/target}/release/helm-rs"
out="$here/dist" sdist=0 strip=1
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin_file="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --sdist) sdist=1; shift ;;
    --no-strip) strip=0; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ -f "$bin_file" ] || { echo "build-dist.sh: $bin_file does not exist (build it first; see the header of this script)" >&2; exit 1; }
maturin="$(command -v maturin || echo "$HOME/.cache/helm-rs/venv/bin/maturin")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$here"

# The sdist first, before the CLI is staged: the source distribution carries no binary.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
data="$here/helm_rs-$version.data"
rm -rf "$data"
if [ "$sdist" = 1 ]; then
  "$maturin" sdist -o "$out"
fi

# pyproject.toml includes helm_rs-*.data/scripts/* in wheels: the wheel's .data/scripts/, which
# pip installs into the environment's bin/ (Scripts\ on Windows).
trap 'rm -rf "$data"' EXIT
mkdir -p "$data/scripts"
if [ "$strip" = 1 ]; then
  "${STRIP:-strip}" -o "$data/scripts/helm-rs" "$bin_file"
else
  cp "$bin_file" "$data/scripts/helm-rs"
fi
chmod 755 "$data/scripts/helm-rs"
"$maturin" build --release --locked -q -o "$out" "$@"
