'use strict';
// Shared paths and the helm-rs CLI to compare with (the same checks as the Python suite).
const fs = require('node:fs');
const os = require('node:os');
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

/** A chart `bad` with one template, templates/cm.yaml (by default failing at line 5: nil pointer). */
function badChart(template = 'kind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a.b.c }}\n') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-bad-'));
  const chart = path.join(dir, 'bad');
  fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: bad\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(chart, 'templates', 'cm.yaml'), template);
  return chart;
}

module.exports = { ROOT, HELLO, CONFORMANCE, CLI, cli, badChart, hasCorpus: fs.existsSync(path.join(CONFORMANCE, 'cases.tsv')) };
