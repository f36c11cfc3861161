'use strict';
// Which prebuilt package fits this machine. A release publishes the native part once per
// platform, as its own npm package (`helm-rs-linux-x64-gnu`, …) holding the addon and the
// `helm-rs` CLI; the main package lists them all as optionalDependencies and npm installs only the
// one whose `os`/`cpu`/`libc` match. index.js (the addon), bin/helm-rs.js (the CLI) and
// scripts/install.js (the build-from-source fallback) all ask this module for its name.

const fs = require('node:fs');
const path = require('node:path');

/** glibc or musl: napi-rs and Rust name Linux targets by their C library. */
function linuxLibc() {
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header;
    if (header && header.glibcVersionRuntime) return 'gnu';
  } catch {
    // Fall through to the file check.
  }
  try {
    // musl's dynamic loader is the tell-tale of Alpine and other musl systems.
    if (fs.readdirSync('/lib').some((f) => f.startsWith('ld-musl-'))) return 'musl';
  } catch {
    // No /lib: assume glibc.
  }
  return 'gnu';
}

/** The platform part of the package name: linux-x64-gnu, darwin-arm64, win32-x64-msvc, … */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${linuxLibc()}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

const triple = platformTriple();

module.exports = {
  triple,
  /** The npm package with this platform's prebuilt addon and CLI. */
  packageName: `helm-rs-${triple}`,
  /** The addon's file name inside that package (napi-rs's naming). */
  nodeFile: `helm-rs.${triple}.node`,
  /** The CLI's path inside that package. */
  binFile: path.join('bin', process.platform === 'win32' ? 'helm-rs.exe' : 'helm-rs'),
  /** An addon built in this directory (`npm run build`, or the install script's fallback). */
  localNode: path.join(__dirname, 'helm-rs.node'),
};
