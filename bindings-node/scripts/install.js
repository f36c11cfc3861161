'use strict';
// npm's install step for helm-rs: when no prebuilt native module fits this machine (no platform
// package for it, or it was omitted), build helm-rs.node from the Rust sources the package
// carries, so that `npm install helm-rs` (a path, a tarball or the registry) needs no manual step.
// Needs a Rust toolchain (cargo) for that fallback only; prebuilt platforms never compile.
//
// Skipped: when a prebuilt loads; in the package's own checkout (`npm ci` there is followed by
// `npm run build`, which this would duplicate); and with HELM_RS_SKIP_BUILD=1.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const platform = require('../platform.js');

const root = path.join(__dirname, '..');

function say(message) {
  process.stderr.write(`helm-rs: ${message}\n`);
}

function prebuilt() {
  if (fs.existsSync(platform.localNode)) return platform.localNode;
  try {
    return require.resolve(platform.packageName);
  } catch {
    return null;
  }
}

function sameDir(a, b) {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

function main() {
  if (process.env.INIT_CWD && sameDir(process.env.INIT_CWD, root)) {
    return; // npm install/ci in the checkout itself: `npm run build` builds the addon
  }
  const found = prebuilt();
  if (found) return;
  const manifest = path.join(root, 'Cargo.toml');
  const how =
    `helm-rs has no prebuilt native module for this platform (${platform.triple}): ` +
    `${platform.packageName} is not installed.`;
  if (process.env.HELM_RS_SKIP_BUILD) {
    say(`${how} HELM_RS_SKIP_BUILD is set: not building from source; require('helm-rs') will fail until ` +
      `helm-rs.node is built (npm run build in a checkout) or the platform package is installed.`);
    return;
  }
  if (!fs.existsSync(manifest)) {
    say(`${how} This copy carries no Rust sources to build from; install ${platform.packageName}, ` +
      `or build in a helm-rs checkout (cd bindings-node && npm run build).`);
    process.exit(1);
  }
  const cargo = process.env.CARGO || 'cargo';
  if (spawnSync(cargo, ['--version'], { stdio: 'ignore' }).status !== 0) {
    say(`${how} Building from source needs a Rust toolchain (cargo, https://rustup.rs), which is not on PATH. ` +
      `Install one and reinstall helm-rs, or install ${platform.packageName}.`);
    process.exit(1);
  }
  say(`${how} Building it from source with cargo (release); this takes a few minutes…`);
  // `napi build` is `cargo build` of the cdylib plus a copy to helm-rs.node; plain cargo needs no
  // devDependency. The JSON messages name the library cargo produced.
  const build = spawnSync(
    cargo,
    ['build', '--release', '--lib', '--locked', '--manifest-path', manifest, '--message-format=json-render-diagnostics'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (build.status !== 0) {
    say(`the source build failed (cargo exit ${build.status ?? build.signal}); see cargo's messages above.`);
    process.exit(1);
  }
  let library = null;
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.target && msg.target.kind.includes('cdylib')) {
      library = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) ?? library;
    }
  }
  if (!library) {
    say('cargo built no cdylib (unexpected); helm-rs.node is missing.');
    process.exit(1);
  }
  fs.copyFileSync(library, platform.localNode);
  say(`built ${platform.localNode}`);
}

main();
