'use strict';
// Errors by kind, never by message: a release server's error answers (a stub answering each
// kind as `helm-rs serve` does) and local failures that need no cluster give the code of their
// kind, with `kind`, `status` and `pending`. client.test.js and remote.test.js provoke the same
// kinds against a real API server.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const helm = require('..');
const { HELLO, badChart } = require('./helpers');

// code either client gives -> {kind: HTTP status the server answers with}
const KINDS_BY_CODE = {
  ChartError: { invalid_input: 400 },
  ReleaseNotFound: { not_found: 404 },
  RenderError: { render: 422 },
  KubeError: {
    name_in_use: 409, conflict: 409, pending: 409, unauthorized: 401, forbidden: 403,
    timeout: 504, failed: 422, cluster: 502, unavailable: 503, internal: 500,
  },
};
// kind -> [HTTP status, code]
const KINDS = Object.fromEntries(
  Object.entries(KINDS_BY_CODE).flatMap(([code, kinds]) => Object.entries(kinds).map(([kind, status]) => [kind, [status, code]])),
);
const PENDING = { status: 'pending-upgrade', revision: 3 };

test('release server errors by kind', async (t) => {
  const server = http.createServer((req, res) => {
    const kind = req.url.split('?')[0].split('/').pop().replaceAll('-', '_');
    const body = { error: `refused: ${kind}`, kind };
    if (kind === 'pending') body.pending = PENDING;
    if (kind === 'render') body.location = { template: 'c/templates/cm.yaml', line: 2, column: 3 };
    res.writeHead(KINDS[kind][0], { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const c = new helm.RemoteClient({ url: `http://127.0.0.1:${server.address().port}`, token: 't', namespace: 'ns' });
  for (const [kind, [status, code]] of Object.entries(KINDS)) {
    await assert.rejects(c.status(kind.replaceAll('_', '-')), (e) => {
      assert.ok(e instanceof Error);
      assert.deepEqual([e.code, e.kind, e.status, e.message], [code, kind, status, `refused: ${kind}`]);
      assert.deepEqual(e.pending, kind === 'pending' ? PENDING : undefined);
      // The server's location of a render error comes through as data.
      if (kind === 'render') assert.deepEqual([e.template, e.line, e.column], ['c/templates/cm.yaml', 2, 3]);
      return true;
    });
  }
});

test('local errors by kind (no cluster needed)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-errors-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
    'contexts: [{name: c, context: {cluster: c, user: u, namespace: ns}}]',
    'users: [{name: u, user: {token: t}}]', '',
  ].join('\n'));
  const c = new helm.Client({ kubeconfig });
  // invalid_input: the chart cannot be had (a local path, or a repository that is not there).
  await assert.rejects(c.install('web', path.join(dir, 'missing-chart')), (e) => e.code === 'ChartError' && e.kind === 'invalid_input' && e.status === undefined);
  await assert.rejects(c.install('web', 'hello', { repo: 'http://127.0.0.1:1/charts' }), (e) => e.code === 'ChartError' && e.kind === 'invalid_input');
  await assert.rejects(c.install('web', HELLO, { set: ['a'] }), (e) => e.code === 'ValuesError' && e.kind === 'invalid_input');
  for (const call of [() => c.install('web', HELLO, { wait: true, waitStrategy: 'eventually' }), () => c.rollback('web', { waitStrategy: 'soon' })]) {
    await assert.rejects(call(), (e) => e.kind === 'invalid_input' && /use watcher or legacy/.test(e.message));
  }
  // cluster: the API server does not answer.
  await assert.rejects(c.status('web'), (e) => e.code === 'KubeError' && e.kind === 'cluster');
  assert.throws(() => new helm.Client({ kubeconfig: path.join(dir, 'none') }), (e) => e.code === 'KubeError' && e.kind === 'cluster');
  assert.throws(() => new helm.RemoteClient({ url: 'ftp://nowhere', token: 't' }), (e) => e.code === 'HelmError' && e.kind === 'invalid_input');
});

test('render errors keep their location and kind', () => {
  assert.throws(() => helm.template(badChart()), (e) => e.code === 'RenderError' && e.kind === 'render' && e.template === 'bad/templates/cm.yaml' && e.line === 5);
});
