'use strict';
// Shared paths and the helm-rs CLI to compare with (the same checks as the Python suite).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const HELLO = path.join(ROOT, 'examples', 'charts', 'hello');
const CONFORMANCE = path.join(ROOT, '..', 'shared', 'conformance');

function cliPath() {
  if (process.env.HELM_RS_BIN) return process.env.HELM_RS_BIN;
  for (const t of [process.env.CARGO_TARGET_DIR, path.join(ROOT, 'target')]) {
    if (t && fs.existsSync(path.join(t, 'debug', 'helm-rs'))) return path.join(t, 'debug', 'helm-rs');
  }
  return null;
}

const CLI = cliPath();

function cli(...args) {
  const p = spawnSync(CLI, args.map(String), { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

module.exports = { ROOT, HELLO, CONFORMANCE, CLI, cli, hasCorpus: fs.existsSync(path.join(CONFORMANCE, 'cases.tsv')) };
