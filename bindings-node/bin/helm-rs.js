#!/usr/bin/env node
'use strict';
// `helm-rs` on npm's PATH (`npx helm-rs …`, package.json scripts): runs the native CLI that the
// platform package (helm-rs-linux-x64-gnu, …) ships, with this process's arguments, streams and
// exit status. HELM_RS_BINARY_PATH names another binary (a source build, a release download).

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const platform = require('../platform.js');

function findBinary() {
  const explicit = process.env.HELM_RS_BINARY_PATH;
  if (explicit) return explicit;
  let dir;
  try {
    dir = path.dirname(require.resolve(`${platform.packageName}/package.json`));
  } catch {
    process.stderr.write(
      `helm-rs: the helm-rs CLI for this platform (${platform.triple}) is not installed: it comes with ` +
        `the ${platform.packageName} package (an optional dependency of helm-rs; was it omitted, ` +
        `or is there no prebuilt for this platform?).\n` +
        `Install it (npm install ${platform.packageName}), or build the CLI from a helm-rs checkout ` +
        `(cargo build --release -p helm-rs-cli) and set HELM_RS_BINARY_PATH to target/release/helm-rs.\n`,
    );
    process.exit(1);
  }
  const bin = path.join(dir, platform.binFile);
  // npm keeps the executable bit of packed files, but a tarball made elsewhere may not have it.
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(bin, 0o755);
    } catch {
      // Read-only install: spawn reports the problem below.
    }
  }
  return bin;
}

const bin = findBinary();
const result = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`helm-rs: cannot run ${bin}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) {
  // Die of the same signal, so that the caller sees what the CLI saw.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
