'use strict';
// Shared paths, the helm-rs CLI to compare with (the same checks as the Python suite), the kube
// test environment and the scenarios both clients run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const assert = require('node:assert/strict');
const helm = require('..');

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

/** Whether scripts/kube-testenv's binaries are built (the client suites skip without them). */
function testenvBuilt() {
  if (process.env.HELM_RS_TESTENV_BIN) return true;
  const cache = process.env.HELM_RS_TESTENV_CACHE ?? path.join(os.homedir(), '.cache', 'helm-rs', 'testenv');
  try {
    return fs.readdirSync(cache).some((d) => fs.existsSync(path.join(cache, d, 'bin', 'kube-apiserver')));
  } catch {
    return false;
  }
}

/**
 * Starts a kube test environment (scripts/kube-testenv) in a fresh directory, stopped after test
 * `t`; the directory, or null after marking `t` skipped when it does not start.
 */
function startTestenv(t, tag) {
  const testenv = path.join(ROOT, 'scripts', 'kube-testenv');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `helm-rs-node-${tag}-`));
  const start = spawnSync(testenv, ['start', dir], {
    encoding: 'utf8',
    env: { ...process.env, HELM_RS_TESTENV_WATCH_PID: String(process.pid) },
  });
  if (start.status !== 0) {
    t.skip(`kube-testenv start failed: ${start.stderr.trim().split('\n').pop()}`);
    return null;
  }
  t.after(() => spawnSync(testenv, ['stop', dir]));
  return dir;
}

// Scenarios every client must pass the same way: client.test.js runs them with helm.Client on
// the cluster, remote.test.js with helm.RemoteClient through a release server.

/**
 * Install (with `installOptions`), upgrade with a loaded Chart, values, history, rollback, list
 * and uninstall of release `web` in namespace `namespace`.
 */
async function releaseLifecycle(c, namespace, installOptions = {}) {
  assert.equal(c.namespace, namespace);
  let rel = await c.install('web', HELLO, { values: { replicaCount: 2 }, ...installOptions });
  assert.deepEqual([rel.name, rel.namespace, rel.revision, rel.status], ['web', namespace, 1, 'deployed']);
  assert.equal(rel.chart, 'hello');
  assert.equal(rel.chartVersion, helm.loadChart(HELLO).version);
  assert.deepEqual(rel.values, { replicaCount: 2 });
  assert.match(rel.manifest, /kind: Deployment/);
  assert.equal((await c.status('web')).revision, 1);

  // The plan of that upgrade, against the live objects; nothing applied.
  const plan = await c.plan('web', HELLO, { set: ['replicaCount=3'] });
  assert.deepEqual(plan.changes.map((ch) => [ch.kind, ch.change]), [['Deployment', 'MODIFY']]);
  assert.equal(plan.changes[0].key, `${namespace}, web-hello, Deployment (apps)`);
  const changed = plan.changes[0].lines.filter((l) => l.delta !== 'common').map((l) => [l.delta, l.text.trim()]);
  assert.deepEqual(changed, [['removed', 'replicas: 2'], ['added', 'replicas: 3']]);
  assert.ok(plan.unchanged.includes(`${namespace}, web-hello, Service (v1)`));
  assert.deepEqual([plan.suppressedKinds, plan.notes], [[], []]);
  assert.equal((await c.status('web')).revision, 1);
  const fresh = await c.plan('fresh', helm.loadChart(HELLO), { install: true });
  assert.deepEqual([...new Set(fresh.changes.map((ch) => ch.change))], ['ADD']);
  await assert.rejects(c.status('fresh'), (e) => e.kind === 'not_found');

  // A loaded Chart (the remote client packages it again and uploads it).
  rel = await c.upgrade('web', helm.loadChart(HELLO), { set: ['replicaCount=3'] });
  assert.deepEqual([rel.revision, rel.status], [2, 'deployed']);
  assert.deepEqual(await c.getValues('web'), { replicaCount: 3 });
  assert.deepEqual((await c.history('web')).map((r) => [r.revision, r.status]), [[1, 'superseded'], [2, 'deployed']]);

  rel = await c.rollback('web', { revision: 1 });
  assert.deepEqual([rel.revision, rel.status], [3, 'deployed']);
  assert.deepEqual(await c.getValues('web'), { replicaCount: 2 });
  assert.deepEqual(await c.getValues('web', { revision: 2 }), { replicaCount: 3 });
  assert.ok((await c.list()).map((r) => r.name).includes('web'));

  rel = await c.uninstall('web');
  assert.equal(rel.status, 'uninstalled');
  await assert.rejects(c.status('web'), (e) => e.code === 'ReleaseNotFound');
  assert.ok(!(await c.list()).map((r) => r.name).includes('web'));
}

/** The error codes for a missing release, a bad --set and a missing chart. */
async function inputErrors(c, installOptions = {}) {
  await assert.rejects(c.status('nope'), (e) => e instanceof Error && e.code === 'ReleaseNotFound');
  await assert.rejects(c.history('nope'), (e) => e.code === 'ReleaseNotFound');
  await assert.rejects(c.install('web', HELLO, { set: ['a'], ...installOptions }), (e) => e.code === 'ValuesError');
  await assert.rejects(c.install('web', '/nonexistent/chart'), (e) => e.code === 'ChartError');
}

/** `upgrade --install` installs a release that does not exist; `test` runs its (no) test hooks. */
async function upgradeInstallAndTest(c) {
  const rel = await c.upgrade('fresh', HELLO, { install: true });
  assert.deepEqual([rel.revision, rel.status], [1, 'deployed']);
  assert.equal((await c.test('fresh')).name, 'fresh');
  await c.uninstall('fresh');
}

module.exports = {
  ROOT, HELLO, CONFORMANCE, CLI, cli, badChart, hasCorpus: fs.existsSync(path.join(CONFORMANCE, 'cases.tsv')),
  testenvBuilt, startTestenv, releaseLifecycle, inputErrors, upgradeInstallAndTest,
};
