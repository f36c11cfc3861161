#!/usr/bin/env bash
# Packs helm-rs for npm the napi-rs way: two tarballs in OUT,
#   helm-rs-<triple>-VERSION.tgz  the platform package: the prebuilt addon
#                                 (helm-rs.<triple>.node) and the helm-rs CLI (bin/helm-rs), with
#                                 os/cpu/libc fields so that npm installs it only where it runs;
#   helm-rs-VERSION.tgz           the main package: index.js/index.mjs/index.d.ts, the `helm-rs`
#                                 bin shim, the platform package as an optionalDependency, and the
#                                 Rust sources (the binding, helm-core, helm-kube) from which
#                                 scripts/install.js builds the addon where no prebuilt fits.
#
# usage: scripts/pack.sh [--node FILE] [--bin FILE] [--target RUST_TRIPLE] [--out DIR] [--no-strip]
#   --node    the addon (default: bindings-node/helm-rs.node, from `npm run build`)
#   --bin     the CLI (default: $CARGO_TARGET_DIR/release/helm-rs, from
#             `cargo build --release -p helm-rs-cli`; a published release uses that or the `dist`
#             profile. The test suite passes the debug build it already has.)
#   --target  the Rust target both were built for (default: this machine). With a cross toolchain
#             (`napi build --release --target aarch64-unknown-linux-gnu`,
#             `cargo build --release --target aarch64-unknown-linux-gnu -p helm-rs-cli`) the same
#             script packs helm-rs-linux-arm64-gnu from those files; STRIP names the target's
#             strip (aarch64-linux-gnu-strip), or pass --no-strip. A release runs it once per
#             target and lists every platform package in the main package's optionalDependencies
#             (PLATFORMS="linux-x64-gnu linux-arm64-gnu …"); this script lists the ones it packed.
#   --no-strip  keep the CLI's debug info (it is stripped by default: 160 MB -> 40 MB for a debug
#             build).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
node_file="$here/helm-rs.node"
bin_file="${CARGO_TARGET_DIR:-$repo/target}/release/helm-rs"
target="" out="$PWD" strip=1
while [ $# -gt 0 ]; do
  case "$1" in
    --node) node_file="$2"; shift 2 ;;
    --bin) bin_file="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-strip) strip=0; shift ;;
    *) echo "pack.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for f in "$node_file" "$bin_file"; do
  [ -f "$f" ] || { echo "pack.sh: $f does not exist (build it first; see the header of this script)" >&2; exit 1; }
done

# npm's platform naming (napi-rs's): os-cpu[-abi], and the package.json fields that select it.
if [ -z "$target" ]; then
  triple=$(node -p "require('$here/platform.js').triple")
else
  case "$target" in
    x86_64-unknown-linux-gnu) triple=linux-x64-gnu ;;
    aarch64-unknown-linux-gnu) triple=linux-arm64-gnu ;;
    x86_64-unknown-linux-musl) triple=linux-x64-musl ;;
    aarch64-unknown-linux-musl) triple=linux-arm64-musl ;;
    x86_64-apple-darwin) triple=darwin-x64 ;;
    aarch64-apple-darwin) triple=darwin-arm64 ;;
    x86_64-pc-windows-msvc) triple=win32-x64-msvc ;;
    aarch64-pc-windows-msvc) triple=win32-arm64-msvc ;;
    *) echo "pack.sh: no npm platform name for Rust target $target" >&2; exit 2 ;;
  esac
fi
IFS=- read -r os cpu abi <<<"$triple"
exe=helm-rs; [ "$os" = win32 ] && exe=helm-rs.exe
version=$(node -p "require('$here/package.json').version")
platforms="${PLATFORMS:-$triple}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The platform package.
plat="$work/platform"
mkdir -p "$plat/bin"
cp "$node_file" "$plat/helm-rs.$triple.node"
if [ "$strip" = 1 ]; then
  "${STRIP:-strip}" -o "$plat/bin/$exe" "$bin_file"
else
  cp "$bin_file" "$plat/bin/$exe"
fi
chmod 755 "$plat/bin/$exe"
libc_field=""
case "$abi" in gnu) libc_field='"libc": ["glibc"],' ;; musl) libc_field='"libc": ["musl"],' ;; esac
cat > "$plat/package.json" <<EOF
{
  "name": "helm-rs-$triple",
  "version": "$version",
  "description": "The $triple build of helm-rs: the Node addon and the helm-rs CLI (installed by the helm-rs package)",
  "license": "Apache-2.0",
  "os": ["$os"],
  "cpu": ["$cpu"],
  $libc_field
  "main": "helm-rs.$triple.node",
  "files": ["helm-rs.$triple.node", "bin/$exe"],
  "engines": { "node": ">=18" }
}
EOF
cat > "$plat/README.md" <<EOF
# helm-rs-$triple

The $triple native part of [helm-rs](https://www.npmjs.com/package/helm-rs): \`helm-rs.$triple.node\`
(the addon \`require('helm-rs')\` loads) and \`bin/$exe\` (the CLI behind \`npx helm-rs\`).
Install \`helm-rs\`, not this package: npm picks the platform package that fits.
EOF

# The main package: the JS face, the bin shim, the install fallback and the Rust sources.
main="$work/main"
mkdir -p "$main/bin" "$main/scripts" "$main/crates"
cp "$here"/{index.js,index.mjs,index.d.ts,index.d.mts,platform.js,README.md} "$main/"
cp "$here/bin/helm-rs.js" "$main/bin/"
cp "$here/scripts/install.js" "$main/scripts/"
cp -r "$here/src" "$here/build.rs" "$here/Cargo.lock" "$main/"
# The bindings' crate is a workspace of its own with helm-core and helm-kube beside it in the
# repository; in the package they sit under crates/. There they stay outside the binding's
# workspace (as in the repository), so that Cargo.lock covers exactly what the binding builds
# and `cargo build --locked` works; what they inherit from the repository's root manifest
# (version, edition, license, shared dependencies) is written into their own manifests, and
# their dev-dependencies and examples are left out with their tests.
sed -e 's#"\.\./helm-core"#"crates/helm-core"#; s#"\.\./helm-kube"#"crates/helm-kube"#' \
    -e 's#^\[workspace\]$#[workspace]\nexclude = ["crates/helm-core", "crates/helm-kube"]#' \
    "$here/Cargo.toml" > "$main/Cargo.toml"
for crate in helm-core helm-kube; do
  mkdir -p "$main/crates/$crate"
  cp -r "$repo/$crate/src" "$main/crates/$crate/"
  [ -f "$repo/$crate/build.rs" ] && cp "$repo/$crate/build.rs" "$main/crates/$crate/"
  awk '
    # pass 1: the root manifest: `key = value` of [workspace.package] and [workspace.dependencies]
    FNR == NR {
      if ($0 ~ /^\[/) { sect = $0; next }
      if ((sect == "[workspace.package]" || sect == "[workspace.dependencies]") && match($0, /^[A-Za-z0-9_-]+ *= */)) {
        key = $0; sub(/ *=.*/, "", key)
        val = substr($0, RLENGTH + 1)
        # workspace paths are relative to the root; the crates sit side by side
        gsub(/path = "/, "path = \"../", val)
        if (sect == "[workspace.package]") pkg[key] = val; else dep[key] = val
      }
      next
    }
    # pass 2: the crate manifest, inherited keys resolved, tests and examples dropped
    /^\[\[?(dev-dependencies|example|test|bench)\]\]?/ { skip = 1; next }
    /^\[/ { skip = 0; sect = $0 }
    skip { next }
    match($0, /^[A-Za-z0-9_-]+\.workspace = true *$/) {
      key = $0; sub(/\.workspace.*/, "", key)
      if (sect == "[package]" && (key in pkg)) { print key " = " pkg[key]; next }
      if (sect != "[package]" && (key in dep)) { print key " = " dep[key]; next }
      print "pack.sh: " FILENAME ": cannot resolve " $0 > "/dev/stderr"; exit 1
    }
    { print }
  ' "$repo/Cargo.toml" "$repo/$crate/Cargo.toml" > "$main/crates/$crate/Cargo.toml"
done
optional=""
for p in $platforms; do optional="$optional\"helm-rs-$p\": \"$version\", "; done
node - "$here/package.json" "$main/package.json" "{${optional%, }}" <<'EOF'
const fs = require('node:fs');
const [src, dst, optional] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(src, 'utf8'));
pkg.optionalDependencies = JSON.parse(optional);
// What an installed copy runs: the source fallback, not the checkout's napi build scripts.
pkg.scripts = { install: pkg.scripts.install };
delete pkg.devDependencies;
pkg.files = ['index.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'platform.js', 'bin/', 'scripts/install.js',
  'src/', 'build.rs', 'Cargo.toml', 'Cargo.lock', 'crates/'];
fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + '\n');
EOF

(cd "$plat" && npm pack --silent --pack-destination "$out" >/dev/null)
(cd "$main" && npm pack --silent --pack-destination "$out" >/dev/null)
echo "$out/helm-rs-$triple-$version.tgz"
echo "$out/helm-rs-$version.tgz"
