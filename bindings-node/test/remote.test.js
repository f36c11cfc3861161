'use strict';
// helm-rs RemoteClient against a real release server (`helm-rs serve`, the CLI the suite uses)
// in front of a real API server (scripts/kube-testenv). The caller is a ServiceAccount allowed
// in one namespace only, so Kubernetes RBAC decides: a call into another namespace rejects with
// the 403 (code KubeError, status 403), a call without a token with the 401. Skipped when the
// test environment or the CLI is not built.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const helm = require('..');
const { HELLO, CLI, cli, badChart, testenvBuilt, startTestenv, releaseLifecycle, inputErrors, upgradeInstallAndTest } = require('./helpers');

const skip = !testenvBuilt()
  ? 'kube test environment not built (scripts/kube-testenv build)'
  : !CLI || !fs.existsSync(CLI)
    ? 'helm-rs CLI not built (set HELM_RS_BIN or build the workspace)'
    : false;
const suffix = () => crypto.randomBytes(3).toString('hex');

/** The testenv's admin over HTTPS (bearer token, CA from pki/). */
function admin(dir) {
  const env = fs.readFileSync(path.join(dir, 'env'), 'utf8');
  const server = new URL(env.match(/KUBE_TESTENV_SERVER=(\S+)/)[1]);
  const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
  const ca = fs.readFileSync(path.join(dir, 'pki', 'ca.crt'));
  const post = (p, body) =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: server.hostname, port: server.port, path: p, method: 'POST', ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(data)) : reject(new Error(`${p}: ${res.statusCode} ${data}`))));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  return {
    namespace: (name) => post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    /** ServiceAccount `sa` in `home` with every right in `home` (and CRDs, which the example chart ships); its token. */
    async account(home, sa) {
      const rbac = '/apis/rbac.authorization.k8s.io/v1';
      const subjects = [{ kind: 'ServiceAccount', name: sa, namespace: home }];
      await post(`/api/v1/namespaces/${home}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
      await post(`${rbac}/namespaces/${home}/roles`, {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'all' },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      });
      await post(`${rbac}/namespaces/${home}/rolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'all' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'all' }, subjects,
      });
      await post(`${rbac}/clusterroles`, {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${home}-crds` },
        rules: [{ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'create', 'patch', 'update'] }],
      });
      await post(`${rbac}/clusterrolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${home}-crds` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${home}-crds` }, subjects,
      });
      const tr = await post(`/api/v1/namespaces/${home}/serviceaccounts/${sa}/token`, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
      });
      return tr.status.token;
    },
  };
}

/** `helm-rs serve --listen 127.0.0.1:0`; resolves its URL from the `listening` log line. */
function startServer(kubeconfig) {
  const proc = spawn(CLI, ['serve', '--listen', '127.0.0.1:0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`helm-rs serve did not start:\n${log}`)), 30000);
    proc.stderr.on('data', (d) => {
      log += d;
      // Only whole lines: a chunk may end in the middle of the JSON log line.
      for (const line of log.split('\n').slice(0, -1)) {
        if (line.includes('"listening"')) {
          clearTimeout(timer);
          resolve({ proc, url: `http://${JSON.parse(line).addr}` });
          return;
        }
      }
    });
    proc.on('exit', () => reject(new Error(`helm-rs serve exited:\n${log}`)));
  });
}


test('RemoteClient through helm-rs serve', { skip }, async (t) => {
  const dir = startTestenv(t, 'remote');
  if (!dir) return;
  const kube = admin(dir);
  const nsA = `noder-a-${suffix()}`;
  const nsB = `noder-b-${suffix()}`;
  await kube.namespace(nsA);
  await kube.namespace(nsB);
  const token = await kube.account(nsA, 'deployer');
  const { proc, url } = await startServer(path.join(dir, 'kubeconfig'));
  t.after(() => proc.kill('SIGTERM'));

  await t.test('release lifecycle', async () => {
    const c = new helm.RemoteClient({ url, token, namespace: nsA });
    assert.ok(c instanceof helm.Client);
    await releaseLifecycle(c, nsA);
  });

  await t.test('RBAC, token and input errors', async () => {
    const c = new helm.RemoteClient({ url, token, namespace: nsA });
    await assert.rejects(c.install('web', HELLO, { namespace: nsB }), (e) => e.code === 'KubeError' && e.kind === 'forbidden' && e.status === 403 && /forbidden/.test(e.message));
    await assert.rejects(c.list({ namespace: nsB }), (e) => e.code === 'KubeError' && e.status === 403);
    for (const bad of ['', 'not-a-valid-token']) {
      await assert.rejects(new helm.RemoteClient({ url, token: bad, namespace: nsA }).list(), (e) => e.code === 'KubeError' && e.kind === 'unauthorized' && e.status === 401);
    }
    await assert.rejects(c.status('nope'), (e) => e.code === 'ReleaseNotFound' && e.status === 404);
    await inputErrors(c);
    assert.throws(() => new helm.RemoteClient({ url: 'ftp://nowhere', token }), (e) => e.code === 'HelmError');
  });

  await t.test('one real failure per kind family, as the local client gives them', async () => {
    const c = new helm.RemoteClient({ url, token, namespace: nsA });
    await assert.rejects(c.status('nope'), (e) => e.code === 'ReleaseNotFound' && e.kind === 'not_found' && e.status === 404);
    await c.install('kinds', HELLO);
    await assert.rejects(c.install('kinds', HELLO), (e) => e.code === 'KubeError' && e.kind === 'name_in_use' && e.status === 409);
    await assert.rejects(c.install('Bad_Name', HELLO), (e) => e.code === 'ChartError' && e.kind === 'invalid_input' && e.status === 400);
    await assert.rejects(c.upgrade('kinds', badChart()), (e) => e.code === 'RenderError' && e.kind === 'render' && e.status === 422);
    await upgradeInstallAndTest(c);
    await c.uninstall('kinds');
  });

  await t.test('concurrent upgrades: 409 with the pending state', async () => {
    const c = new helm.RemoteClient({ url, token, namespace: nsA });
    await c.install('busy', HELLO);
    const results = await Promise.allSettled([0, 1, 2, 3].map((n) => c.upgrade('busy', HELLO, { values: { n } })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.ok(ok.length >= 1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      assert.equal(r.reason.status, 409, String(r.reason));
      assert.equal(r.reason.kind, 'pending');
      assert.equal(r.reason.pending.status, 'pending-upgrade');
    }
    const history = await c.history('busy');
    assert.deepEqual(history.map((r) => r.revision), Array.from({ length: ok.length + 1 }, (_, i) => i + 1));
    assert.equal(history[history.length - 1].status, 'deployed');
    await c.uninstall('busy');
  });

  await t.test('charts the server downloads: repository and URL references', async () => {
    // A chart repository on 127.0.0.1: the example chart packaged by the CLI, its index.yaml.
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-repo-'));
    t.after(() => fs.rmSync(repo, { recursive: true, force: true }));
    const packaged = cli('package', HELLO, '-d', repo);
    assert.equal(packaged.code, 0, packaged.stderr);
    const archive = fs.readdirSync(repo).find((f) => f.endsWith('.tgz'));
    const version = helm.loadChart(path.join(repo, archive)).version;
    const digest = crypto.createHash('sha256').update(fs.readFileSync(path.join(repo, archive))).digest('hex');
    fs.writeFileSync(
      path.join(repo, 'index.yaml'),
      `apiVersion: v1\nentries:\n  hello:\n  - apiVersion: v2\n    name: hello\n    version: ${version}\n    digest: ${digest}\n    urls:\n    - ${archive}\ngenerated: "2024-01-01T00:00:00Z"\n`,
    );
    const files = http.createServer((req, res) => {
      const f = path.join(repo, path.basename(req.url));
      if (fs.existsSync(f)) res.end(fs.readFileSync(f));
      else res.writeHead(404).end();
    });
    await new Promise((r) => files.listen(0, '127.0.0.1', r));
    t.after(() => files.close());
    const repoUrl = `http://127.0.0.1:${files.address().port}`;

    const c = new helm.RemoteClient({ url, token, namespace: nsA });
    let rel = await c.install('fromrepo', 'hello', { repo: repoUrl, version, values: { replicaCount: 4 } });
    assert.deepEqual([rel.chart, rel.chartVersion, rel.revision], ['hello', version, 1]);
    rel = await c.upgrade('fromrepo', `${repoUrl}/${archive}`, { set: ['replicaCount=5'] });
    assert.equal(rel.revision, 2);
    assert.deepEqual(await c.getValues('fromrepo'), { replicaCount: 5 });
    await assert.rejects(c.install('nochart', 'nochart', { repo: repoUrl }), (e) => e.code === 'ChartError' && e.status === 400 && /nochart/.test(e.message));
    await c.uninstall('fromrepo');

    // An OCI registry: Debian's docker-registry over plain HTTP (scripts/test.d/setup-repo.sh).
    const which = spawnSync('sh', ['-c', 'command -v docker-registry'], { encoding: 'utf8' });
    if (which.status !== 0) return t.diagnostic('docker-registry not installed: OCI part skipped');
    const port = await new Promise((resolve) => {
      const s = require('node:net').createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    fs.writeFileSync(path.join(repo, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(repo, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    const registry = spawn(which.stdout.trim(), ['serve', path.join(repo, 'config.yml')], { stdio: 'ignore' });
    t.after(() => registry.kill());
    for (let i = 0; i < 100; i++) {
      const up = await new Promise((resolve) => {
        const sock = require('node:net').connect(port, '127.0.0.1', () => { sock.end(); resolve(true); });
        sock.on('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pushed = cli('push', path.join(repo, archive), `oci://127.0.0.1:${port}/charts`, '--plain-http');
    assert.equal(pushed.code, 0, pushed.stderr);
    rel = await c.install('fromoci', `oci://127.0.0.1:${port}/charts/hello`, { version, plainHttp: true });
    assert.deepEqual([rel.chart, rel.chartVersion, rel.status], ['hello', version, 'deployed']);
    await c.uninstall('fromoci');
  });
});
