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
});
