'use strict';
// helm-rs Client against a real API server (scripts/kube-testenv); skipped when the test
// environment's binaries are not built.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const crypto = require('node:crypto');
const helm = require('..');
const { HELLO, badChart, testenvBuilt, startTestenv, releaseLifecycle, inputErrors, upgradeInstallAndTest } = require('./helpers');

const skip = testenvBuilt() ? false : 'kube test environment not built (scripts/kube-testenv build)';
const ns = () => `node-${crypto.randomBytes(4).toString('hex')}`;

test('Client against a real API server', { skip }, async (t) => {
  const dir = startTestenv(t, 'kube');
  if (!dir) return;
  const kubeconfig = path.join(dir, 'kubeconfig');

  await t.test('release lifecycle', async () => {
    const namespace = ns();
    await releaseLifecycle(new helm.Client({ kubeconfig, namespace }), namespace, { createNamespace: true });
  });

  await t.test('errors', async () => {
    await inputErrors(new helm.Client({ kubeconfig, namespace: ns() }), { createNamespace: true });
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
    await upgradeInstallAndTest(c);
    // nothing pending: recover refuses, as bad input
    await assert.rejects(c.recover('web'), (e) => e.code === 'ChartError' && e.kind === 'invalid_input' &&
      /^nothing to recover: the latest revision is (deployed|superseded|failed), not pending$/.test(e.message));
    await c.uninstall('web');
  });

  await t.test('progress: each event as it happens, with why --wait waits', async () => {
    const events = [];
    const c = new helm.Client({ kubeconfig, namespace: ns(), progress: (e) => events.push(e) });
    // A Deployment that never becomes ready: the test cluster has no nodes.
    const never = badChart('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-d\nspec:\n  replicas: 1\n' +
      '  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n' +
      '      containers:\n      - name: c\n        image: busybox\n');
    await assert.rejects(c.install('never', never, { createNamespace: true, wait: true, timeout: 6 }), (e) => e.kind === 'timeout');
    // Events arrive on the JavaScript thread after the action's own callbacks: let them in.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'release_recorded', JSON.stringify(events));
    assert.ok(types.includes('resource_applied'), types.join(','));
    const waits = events.filter((e) => e.type === 'waiting');
    assert.ok(waits.length > 0, types.join(','));
    const last = waits[waits.length - 1].not_ready[0];
    assert.equal(`${last.kind}/${last.name}`, 'Deployment/never-d');
    assert.ok((last.details ?? []).some((d) => d.endsWith(': Pending, not scheduled yet')), JSON.stringify(last));
  });
});
