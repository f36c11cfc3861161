'use strict';
// helm-rs Client against a real API server (scripts/kube-testenv); skipped when the test
// environment's binaries are not built.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const helm = require('..');
const { ROOT, HELLO, badChart } = require('./helpers');

function testenvBuilt() {
  if (process.env.HELM_RS_TESTENV_BIN) return true;
  const cache = process.env.HELM_RS_TESTENV_CACHE ?? path.join(os.homedir(), '.cache', 'helm-rs', 'testenv');
  try {
    return fs.readdirSync(cache).some((d) => fs.existsSync(path.join(cache, d, 'bin', 'kube-apiserver')));
  } catch {
    return false;
  }
}

const skip = testenvBuilt() ? false : 'kube test environment not built (scripts/kube-testenv build)';
const ns = () => `node-${crypto.randomBytes(4).toString('hex')}`;


test('Client against a real API server', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-kube-'));
  const start = spawnSync(path.join(ROOT, 'scripts', 'kube-testenv'), ['start', dir], {
    encoding: 'utf8',
    env: { ...process.env, HELM_RS_TESTENV_WATCH_PID: String(process.pid) },
  });
  if (start.status !== 0) return t.skip(`kube-testenv start failed: ${start.stderr.trim().split('\n').pop()}`);
  t.after(() => spawnSync(path.join(ROOT, 'scripts', 'kube-testenv'), ['stop', dir]));
  const kubeconfig = path.join(dir, 'kubeconfig');

  await t.test('release lifecycle', async () => {
    const namespace = ns();
    const c = new helm.Client({ kubeconfig, namespace });
    assert.equal(c.namespace, namespace);
    let rel = await c.install('web', HELLO, { values: { replicaCount: 2 }, createNamespace: true });
    assert.deepEqual([rel.name, rel.namespace, rel.revision, rel.status], ['web', namespace, 1, 'deployed']);
    assert.equal(rel.chart, 'hello');
    assert.equal(rel.chartVersion, helm.loadChart(HELLO).version);
    assert.deepEqual(rel.values, { replicaCount: 2 });
    assert.match(rel.manifest, /kind: Deployment/);
    assert.equal((await c.status('web')).revision, 1);

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
  });

  await t.test('errors', async () => {
    const c = new helm.Client({ kubeconfig, namespace: ns() });
    await assert.rejects(c.status('nope'), (e) => e instanceof Error && e.code === 'ReleaseNotFound');
    await assert.rejects(c.history('nope'), (e) => e.code === 'ReleaseNotFound');
    await assert.rejects(c.install('web', HELLO, { set: ['a'], createNamespace: true }), (e) => e.code === 'ValuesError');
    await assert.rejects(c.install('web', '/nonexistent/chart'), (e) => e.code === 'ChartError');
    assert.throws(() => new helm.Client({ kubeconfig: '/nonexistent/kubeconfig' }), (e) => e.code === 'KubeError');
  });

  await t.test('one real failure per kind family (remote.test.js: the same through a server)', async () => {
    const c = new helm.Client({ kubeconfig, namespace: ns() });
    await assert.rejects(c.status('nope'), (e) => e.code === 'ReleaseNotFound' && e.kind === 'not_found');
    await c.install('web', HELLO, { createNamespace: true });
    await assert.rejects(c.install('web', HELLO), (e) => e.code === 'KubeError' && e.kind === 'name_in_use');
    await assert.rejects(c.install('other', '/nonexistent/chart'), (e) => e.code === 'ChartError' && e.kind === 'invalid_input');
    await assert.rejects(c.upgrade('web', badChart()), (e) =>
      e.code === 'RenderError' && e.kind === 'render' && e.template === 'bad/templates/cm.yaml' && e.line === 5);
    // upgrade --install installs a release that does not exist; test runs its (no) test hooks.
    const rel = await c.upgrade('fresh', HELLO, { install: true });
    assert.deepEqual([rel.revision, rel.status], [1, 'deployed']);
    assert.equal((await c.test('fresh')).name, 'fresh');
    await c.uninstall('fresh');
    await c.uninstall('web');
  });
});
