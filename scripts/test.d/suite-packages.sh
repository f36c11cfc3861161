#!/usr/bin/env bash
# Installs helm-rs the way its users will and uses it from there, in fresh folders:
#   npm: the main and the platform tarball (bindings-node/scripts/pack.sh) installed into an
#        empty project; require() and import render examples/charts/hello as the CLI does;
#        `npx helm-rs` runs the CLI the platform package carries; without the platform package
#        the install says how to build and the packed Rust sources resolve for that build.
#   pip: the wheel (bindings-python/scripts/build-dist.sh) installed into a new venv puts
#        `helm-rs` on its PATH; `import helm_rs` renders as the CLI does; the stubs name every
#        public name; the sdist carries the vendored sources; twine check passes.
# The packages are made from what the other steps built: the addon and the Python module from
# setup-bindings.sh (its target dir and settings, so maturin's cargo step has nothing to do) and
# the debug helm-rs CLI of the workspace build (a release packs `cargo build --release`'s).
# They are kept in ~/.cache/helm-rs/packages/<hash of their inputs> and packed again only when
# an input changes. Ends with `N passed, N failed, N skipped`.
set -uo pipefail
source "$(dirname "$0")/bindings-env.sh"
started=$SECONDS
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
cli="${HELM_RS_BIN:-$CARGO_TARGET_DIR/debug/helm-rs}"
if [ ! -x "$cli" ]; then
  (cd "$root" && cargo build -q -p helm-rs-cli)
fi
hello="$root/examples/charts/hello"
addon="$root/bindings-node/helm-rs.node"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
P=0 F=0 S=0

pass() { echo "ok   $1"; P=$((P + 1)); }
fail() { # NAME [DETAIL…]
  echo "FAIL $1"; shift
  [ $# -gt 0 ] && printf '%s\n' "$@" | head -40 | sed 's/^/     /'
  F=$((F + 1))
}
skip() { echo "skip $1: $2"; S=$((S + 1)); }
same() { # NAME EXPECTED-FILE ACTUAL-FILE: the two outputs are byte for byte equal
  if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(diff "$2" "$3" | head -20)"; fi
}

"$cli" version > "$work/version.expected"
"$cli" template "$hello" > "$work/hello.expected"
"$cli" template web "$hello" > "$work/hello-web.expected"

# --- packing (cached by the hash of everything the packages are made of) ---------------------
inputs_hash() {
  (cd "$root" && find bindings-node bindings-python helm-core/src helm-core/Cargo.toml helm-kube/src helm-kube/Cargo.toml \
       Cargo.toml scripts/test.d/suite-packages.sh -type f \
       -not -path '*/node_modules/*' -not -path '*/__pycache__/*' -not -path '*/dist/*' \
       -not -path 'bindings-python/helm_rs-*.data/*' -not -path '*/tests/*' -not -path '*/test/*' -print0 \
     | sort -z | xargs -0 sha256sum
   sha256sum "$cli" "$addon" 2>/dev/null; cat "$cache/bindings-python.stamp" 2>/dev/null) | sha256sum | cut -c1-16
}
hash=$(inputs_hash)
pkgs="$cache/packages/$hash"
mkdir -p "$cache/packages"
find "$cache/packages" -mindepth 1 -maxdepth 1 -not -name "$hash" -exec rm -rf {} +

echo "== npm packages"
if [ -f "$pkgs/npm/.done" ]; then
  echo "packed tarballs up to date ($pkgs/npm)"
elif [ ! -f "$addon" ]; then
  echo "bindings-node/helm-rs.node is missing (setup-bindings.sh failed?)"
else
  rm -rf "$pkgs/npm"
  if out=$(nice -n 10 "$root/bindings-node/scripts/pack.sh" --node "$addon" --bin "$cli" --out "$pkgs/npm" 2>&1); then
    touch "$pkgs/npm/.done"
  else
    echo "$out"
  fi
fi
main_tgz=$(ls "$pkgs"/npm/helm-rs-[0-9]*.tgz 2>/dev/null | head -1)
plat_tgz=$(ls "$pkgs"/npm/helm-rs-linux-*.tgz "$pkgs"/npm/helm-rs-darwin-*.tgz "$pkgs"/npm/helm-rs-win32-*.tgz 2>/dev/null | head -1)

if [ -z "$main_tgz" ] || [ -z "$plat_tgz" ]; then
  fail "npm: pack the main and platform packages (bindings-node/scripts/pack.sh)"
else
  pass "npm: pack the main and platform packages ($(basename "$main_tgz") $(du -h "$main_tgz" | cut -f1), $(basename "$plat_tgz") $(du -h "$plat_tgz" | cut -f1))"
  plat_name=$(basename "$plat_tgz" | sed 's/-[0-9][0-9.]*\.tgz$//')
  app="$work/npm-app"
  mkdir -p "$app" && echo '{ "name": "app", "private": true }' > "$app/package.json"
  if out=$(cd "$app" && npm install --offline --no-audit --no-fund --loglevel=error "$main_tgz" "$plat_tgz" 2>&1); then
    pass "npm: install both tarballs into an empty project"
    if [ ! -e "$app/node_modules/helm-rs/helm-rs.node" ] && ls "$app/node_modules/$plat_name/"*.node >/dev/null 2>&1 \
       && [ -x "$app/node_modules/$plat_name/bin/helm-rs" ]; then
      pass "npm: the addon and the CLI come from $plat_name"
    else
      fail "npm: the addon and the CLI come from $plat_name" "$(cd "$app/node_modules" && ls -l helm-rs "$plat_name" "$plat_name/bin" 2>&1)"
    fi
    (cd "$app" && node -e 'process.stdout.write(require("helm-rs").template(process.argv[1]).manifest)' "$hello") \
      > "$work/cjs.out" 2> "$work/cjs.err"
    same "npm: require('helm-rs').template() renders what helm-rs template prints" "$work/hello.expected" "$work/cjs.out"
    [ -s "$work/cjs.err" ] && cat "$work/cjs.err"
    (cd "$app" && node --input-type=module -e '
      import helm, { template, Chart } from "helm-rs";
      import { createRequire } from "node:module";
      const cjs = createRequire(import.meta.url)("helm-rs");
      if (helm !== cjs || template !== cjs.template || Chart !== cjs.Chart) throw new Error("ESM and CommonJS entries differ");
      process.stdout.write(template(process.argv[1], { releaseName: "web" }).manifest);' "$hello") \
      > "$work/esm.out" 2> "$work/esm.err"
    same "npm: import { template } from 'helm-rs' (ESM) renders the same, one module with require()" "$work/hello-web.expected" "$work/esm.out"
    [ -s "$work/esm.err" ] && cat "$work/esm.err"
    (cd "$app" && npx --no helm-rs version) > "$work/npx-version.out" 2> "$work/npx-version.err"
    same "npm: npx helm-rs version" "$work/version.expected" "$work/npx-version.out"
    [ -s "$work/npx-version.err" ] && cat "$work/npx-version.err"
    "$cli" template "$work/no-such-chart" > /dev/null 2> "$work/cli-err.expected"; want=$?
    (cd "$app" && npx --no helm-rs template "$work/no-such-chart") > /dev/null 2> "$work/npx-err.all"; got=$?
    grep -v '^npm ' "$work/npx-err.all" > "$work/npx-err.out"   # npm's own notices, if any, aside
    if [ "$got" = "$want" ] && [ "$want" != 0 ] && cmp -s "$work/cli-err.expected" "$work/npx-err.out"; then
      pass "npm: npx helm-rs passes on the CLI's exit status ($want) and stderr"
    else
      fail "npm: npx helm-rs passes on the CLI's exit status and stderr" "exit $got, want $want" "$(diff "$work/cli-err.expected" "$work/npx-err.out")"
    fi
  else
    fail "npm: install both tarballs into an empty project" "$out"
  fi

  # Where no platform package fits: the install step says so (HELM_RS_SKIP_BUILD stops it
  # before the minutes-long source build), require() names the ways out, and the Rust sources
  # the main package carries resolve offline against its Cargo.lock for that build.
  bare="$work/npm-bare"
  mkdir -p "$bare" && echo '{ "name": "bare", "private": true }' > "$bare/package.json"
  if out=$(cd "$bare" && HELM_RS_SKIP_BUILD=1 npm install --offline --omit=optional --foreground-scripts --no-audit --no-fund --loglevel=error "$main_tgz" 2>&1); then
    if grep -q 'no prebuilt native module' <<<"$out"; then
      pass "npm: without the platform package, the install step reports no prebuilt"
    else
      fail "npm: without the platform package, the install step reports no prebuilt" "$out"
    fi
    err=$(cd "$bare" && node -e 'require("helm-rs")' 2>&1)
    if [ $? -ne 0 ] && grep -q "npm install $plat_name" <<<"$err" && grep -q 'npm run build' <<<"$err"; then
      pass "npm: without a native module, require('helm-rs') says how to get one"
    else
      fail "npm: without a native module, require('helm-rs') says how to get one" "$err"
    fi
    if out=$(cargo metadata --locked --offline --format-version 1 --manifest-path "$bare/node_modules/helm-rs/Cargo.toml" 2>&1 >/dev/null); then
      pass "npm: the packed Rust sources resolve for a source build (cargo metadata --locked --offline)"
    else
      fail "npm: the packed Rust sources resolve for a source build (cargo metadata --locked --offline)" "$out"
    fi
  else
    fail "npm: install the main tarball alone" "$out"
  fi
fi

echo "== Python packages"
py_env=(env CARGO_TARGET_DIR="$cache/target-bind" CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}")
if [ -f "$pkgs/py/.done" ]; then
  echo "wheel and sdist up to date ($pkgs/py)"
elif [ ! -x "$venv/bin/maturin" ] || [ ! -f "$cache/bindings-python.stamp" ]; then
  echo "the Python binding was not built by setup-bindings.sh: not building it here"
else
  rm -rf "$pkgs/py"
  if out=$("${py_env[@]}" nice -n 10 "$root/bindings-python/scripts/build-dist.sh" --bin "$cli" --out "$pkgs/py" --sdist \
             -- -i "$venv/bin/python" 2>&1); then
    touch "$pkgs/py/.done"
  else
    echo "$out"
  fi
fi
wheel=$(ls "$pkgs"/py/helm_rs-*.whl 2>/dev/null | head -1)
sdist=$(ls "$pkgs"/py/helm_rs-*.tar.gz 2>/dev/null | head -1)

if [ -z "$wheel" ] || [ -z "$sdist" ]; then
  fail "pip: build the wheel and sdist (bindings-python/scripts/build-dist.sh)"
else
  pass "pip: build the wheel and sdist ($(basename "$wheel") $(du -h "$wheel" | cut -f1), $(basename "$sdist") $(du -h "$sdist" | cut -f1))"
  if out=$("$venv/bin/python" - "$wheel" <<'EOF' 2>&1
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = {i.filename: i for i in z.infolist()}
cli = [n for n in names if n.endswith(".data/scripts/helm-rs")]
assert cli, "no .data/scripts/helm-rs"
assert names[cli[0]].external_attr >> 16 & 0o111, "helm-rs is not executable"
for n in ("helm_rs/py.typed", "helm_rs/__init__.pyi", "helm_rs/__main__.py"):
    assert n in names, f"no {n}"
EOF
  ); then
    pass "pip: the wheel carries the helm-rs CLI (executable), py.typed and the stubs"
  else
    fail "pip: the wheel carries the helm-rs CLI (executable), py.typed and the stubs" "$out"
  fi
  fresh="$work/venv"
  if out=$(python3 -m venv --without-pip "$fresh" 2>&1 && "$venv/bin/pip" --python "$fresh/bin/python" install -q --no-index --no-deps --disable-pip-version-check "$wheel" 2>&1); then
    pass "pip: install the wheel into a new venv"
    found=$(PATH="$fresh/bin:/usr/bin:/bin" command -v helm-rs)
    if [ "$found" = "$fresh/bin/helm-rs" ]; then
      (PATH="$fresh/bin:/usr/bin:/bin" helm-rs version) > "$work/pip-version.out" 2>&1
      same "pip: helm-rs is on the venv's PATH and helm-rs version works" "$work/version.expected" "$work/pip-version.out"
    else
      fail "pip: helm-rs is on the venv's PATH and helm-rs version works" "command -v helm-rs: '${found}'" "$(ls "$fresh/bin")"
    fi
    "$fresh/bin/python" -m helm_rs version > "$work/pym-version.out" 2>&1
    same "pip: python -m helm_rs version runs the same CLI" "$work/version.expected" "$work/pym-version.out"
    (cd "$work" && "$fresh/bin/python" -c 'import sys, helm_rs; sys.stdout.write(helm_rs.template(sys.argv[1]).manifest)' "$hello") \
      > "$work/py.out" 2> "$work/py.err"
    same "pip: import helm_rs; helm_rs.template() renders what helm-rs template prints" "$work/hello.expected" "$work/py.out"
    [ -s "$work/py.err" ] && cat "$work/py.err"
    if out=$(cd "$work" && "$fresh/bin/python" - <<'EOF' 2>&1
import ast, os, helm_rs
stub = os.path.join(os.path.dirname(helm_rs.__file__), "__init__.pyi")
declared = set()
for node in ast.parse(open(stub).read()).body:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        declared.add(node.name)
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        declared.add(node.target.id)
    elif isinstance(node, ast.Assign):
        declared.update(t.id for t in node.targets if isinstance(t, ast.Name))
    elif isinstance(node, ast.ImportFrom):
        declared.update(a.asname or a.name for a in node.names)
missing = sorted(set(helm_rs.__all__) - declared)
assert not missing, f"names in helm_rs.__all__ without a stub: {missing}"
import sys
expected = os.path.join(sys.prefix, "bin", "helm-rs")
assert helm_rs.find_helm_rs_bin() == expected, (helm_rs.find_helm_rs_bin(), expected)
EOF
    ); then
      pass "pip: the stubs declare every name of helm_rs.__all__; find_helm_rs_bin() finds the venv's CLI"
    else
      fail "pip: the stubs declare every name of helm_rs.__all__; find_helm_rs_bin() finds the venv's CLI" "$out"
    fi
  else
    fail "pip: install the wheel into a new venv" "$out"
  fi
  # The sdist: helm-core and helm-kube vendored beside the binding, no binary, and a manifest
  # that resolves offline against the binding's Cargo.lock (what `pip install helm_rs-….tar.gz`
  # builds; the build itself takes minutes and is left to a release).
  mkdir -p "$work/sdist" && tar xzf "$sdist" -C "$work/sdist"
  sd=$(ls -d "$work"/sdist/helm_rs-*/ | head -1)
  if [ -f "$sd/helm-core/src/lib.rs" ] && [ -f "$sd/helm-kube/src/lib.rs" ] && [ -f "$sd/bindings-python/Cargo.lock" ] \
     && ! tar tzf "$sdist" | grep -q '\.data/' \
     && out=$(cargo metadata --locked --offline --format-version 1 --manifest-path "$sd/bindings-python/Cargo.toml" 2>&1 >/dev/null); then
    pass "pip: the sdist vendors helm-core and helm-kube, carries no binary, resolves offline"
  else
    fail "pip: the sdist vendors helm-core and helm-kube, carries no binary, resolves offline" "${out:-}" "$(tar tzf "$sdist" | grep -v '\.rs$' | head -20)"
  fi
  if [ -x "$venv/bin/twine" ]; then
    if out=$("$venv/bin/twine" check --strict "$wheel" "$sdist" 2>&1); then
      pass "pip: twine check --strict (wheel and sdist)"
    else
      fail "pip: twine check --strict (wheel and sdist)" "$out"
    fi
  else
    skip "pip: twine check" "twine is not installed in $venv (setup-packages.sh could not install it from PyPI)"
  fi
  # The wheel's platform tag must be one its binaries (the extension and the CLI) satisfy:
  # auditwheel reads the glibc and libgcc symbol versions they use.
  tag=$(basename "$wheel" .whl); tag=${tag##*-}
  if [ -x "$venv/bin/auditwheel" ]; then
    if out=$("$venv/bin/auditwheel" show "$wheel" 2>&1) && tr -s ' \n' ' ' <<<"$out" | grep -q "is consistent with the following platform tag: \"$tag\""; then
      pass "pip: auditwheel show: the wheel is consistent with its tag $tag"
    else
      fail "pip: auditwheel show: the wheel is consistent with its tag $tag" "$out"
    fi
  else
    skip "pip: auditwheel" "auditwheel is not installed in $venv (setup-packages.sh could not install it from PyPI)"
  fi
fi

echo "suite-packages took $((SECONDS - started))s"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
