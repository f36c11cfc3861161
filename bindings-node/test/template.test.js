'use strict';
// helm-rs for Node against the helm-rs CLI (itself checked against Helm 4.1.4) and the
// reference's recorded outputs.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const helm = require('..');
const { HELLO, CONFORMANCE, CLI, cli, badChart, hasCorpus } = require('./helpers');

const noCli = CLI ? false : 'helm-rs CLI not built (set HELM_RS_BIN)';

test('loadChart fields', () => {
  const c = helm.loadChart(HELLO);
  assert.equal(c.name, 'hello');
  assert.equal(c.version, c.metadata.version);
  assert.equal(c.metadata.name, 'hello');
  assert.equal(typeof c.values, 'object');
  assert.ok(Object.keys(c.values).length > 0);
  assert.deepEqual(c.dependencies.map((d) => d.name), (c.metadata.dependencies ?? []).map((d) => d.name));
});

test('loadChart of a missing path is a ChartError', () => {
  assert.throws(() => helm.loadChart('/nonexistent/chart'), (e) => e instanceof Error && e.code === 'ChartError' && /not found/.test(e.message));
});

test('defaults equal the CLI', { skip: noCli }, async () => {
  const out = cli('template', HELLO);
  assert.equal(out.code, 0);
  assert.equal(helm.template(HELLO).manifest, out.stdout);
  assert.equal(helm.template(helm.loadChart(HELLO)).manifest, out.stdout);
  assert.equal((await helm.templateAsync(HELLO)).manifest, out.stdout);
  assert.equal((await helm.templateAsync(helm.loadChart(HELLO))).manifest, out.stdout);
});

const optionCases = [
  [{ releaseName: 'web', namespace: 'prod' }, ['web', HELLO, '-n', 'prod']],
  [{ set: ['replicaCount=3'], setString: ['image.tag=123'] }, [HELLO, '--set', 'replicaCount=3', '--set-string', 'image.tag=123']],
  [{ includeCrds: true }, [HELLO, '--include-crds']],
  [{ kubeVersion: '1.29.3', apiVersions: ['monitoring.coreos.com/v1'] }, [HELLO, '--kube-version', '1.29.3', '--api-versions', 'monitoring.coreos.com/v1']],
  [{ isUpgrade: true, skipTests: true }, [HELLO, '--is-upgrade', '--skip-tests']],
  [{ noHooks: true }, [HELLO, '--no-hooks']],
];
for (const [opts, args] of optionCases) {
  test(`options ${JSON.stringify(opts)} equal the CLI`, { skip: noCli }, () => {
    const out = cli('template', ...args);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(helm.template(HELLO, opts).manifest, out.stdout);
  });
}

test('values object goes between files and --set, as the CLI', { skip: noCli }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-'));
  const f = path.join(dir, 'v.yaml');
  const g = path.join(dir, 'dict.yaml');
  fs.writeFileSync(f, 'replicaCount: 2\nservice:\n  port: 8081\n');
  fs.writeFileSync(g, 'service:\n  port: 9090\n');
  const out = cli('template', HELLO, '-f', f, '-f', g, '--set', 'replicaCount=4');
  assert.equal(out.code, 0, out.stderr);
  const got = helm.template(HELLO, { valueFiles: [f], values: { service: { port: 9090 } }, set: ['replicaCount=4'] });
  assert.equal(got.manifest, out.stdout);
});

test('pieces match the manifest', () => {
  const r = helm.template(HELLO, { values: { replicaCount: 2 } });
  assert.ok(r.manifests.length > 0);
  for (const m of r.manifests) {
    assert.deepEqual(Object.keys(m).sort(), ['content', 'kind', 'name', 'path']);
    assert.ok(r.manifest.includes(`# Source: ${m.path}\n${m.content}`));
    assert.ok(m.kind && m.path.startsWith('hello/'));
  }
  const kinds = r.manifests.map((m) => m.kind);
  assert.ok(kinds.includes('Deployment') && kinds.includes('Service'));
  for (const h of r.hooks) assert.ok(h.events.length > 0 && r.manifest.includes(`# Source: ${h.path}\n${h.content}`));
  assert.ok(r.notes.length > 0);
});

test('render errors carry template, line and column', async () => {
  let chart = badChart('kind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a.b.c }}\n');
  const check = (e) => {
    assert.equal(e.code, 'RenderError');
    assert.equal(e.template, 'bad/templates/cm.yaml');
    assert.equal(e.line, 5);
    assert.equal(e.column, 15);
    assert.match(e.message, /nil pointer evaluating interface \{\}\.b/);
    return true;
  };
  assert.throws(() => helm.template(chart), check);
  await assert.rejects(helm.templateAsync(chart), check);
  chart = badChart('\n{{ fail "no way" }}\n');
  assert.throws(() => helm.template(chart), (e) =>
    e.code === 'RenderError' && e.template === 'bad/templates/cm.yaml' && e.line === 2 && e.column === 3 &&
    e.message.startsWith('execution error at (bad/templates/cm.yaml:2:3): no way'));
  chart = badChart('a: 1\nb: {{ .Values.x \n');
  assert.throws(() => helm.template(chart), (e) =>
    e.code === 'RenderError' && e.line === 3 && e.column === null && e.message.startsWith('parse error at (bad/templates/cm.yaml:3): unclosed action started at bad/templates/cm.yaml:2'));
});

test('render error message equals the CLI', { skip: noCli }, () => {
  const chart = badChart('x: {{ required "x is required" .Values.x }}\n');
  const out = cli('template', chart);
  assert.equal(out.code, 1);
  // The CLI prints the failing source line after Helm's message (cli/src/excerpt.rs).
  const helmText = out.stderr.split(/(?<=\n)/).filter((l) => !/^ *(--> |\d* \|)/.test(l)).join('');
  assert.ok(out.stderr.includes('--> bad/templates/cm.yaml:1:6'), out.stderr);
  assert.throws(() => helm.template(chart), (e) => helmText === `Error: ${e.message}\n`);
});

test('values errors', async () => {
  assert.throws(() => helm.template(HELLO, { set: ['a'] }), (e) => e.code === 'ValuesError' && e.message === 'failed parsing --set data: key "a" has no value');
  await assert.rejects(helm.templateAsync(HELLO, { valueFiles: ['/nonexistent.yaml'] }), (e) => e.code === 'ValuesError');
  assert.throws(() => helm.template(HELLO, { values: { f: () => 1 } }), /cannot use a Function in values/);
});

test('invalid release name is a HelmError', () => {
  assert.throws(() => helm.template(HELLO, { releaseName: 'Bad_Name' }), (e) => e.code === 'HelmError' && /invalid release name/.test(e.message));
});

test('templateAsync runs off the main thread', async () => {
  const expected = helm.template(HELLO).manifest;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const results = await Promise.all(Array.from({ length: 8 }, () => helm.templateAsync(HELLO)));
  clearInterval(timer);
  assert.deepEqual(results.map((r) => r.manifest), Array(8).fill(expected));
  if (hasCorpus) {
    const chart = helm.loadChart(path.join(CONFORMANCE, 'charts', 'prometheus-community__kube-prometheus-stack'));
    let during = 0;
    const t = setInterval(() => during++, 1);
    const start = Date.now();
    await helm.templateAsync(chart);
    clearInterval(t);
    // The event loop kept turning while the chart rendered on the thread pool.
    assert.ok(Date.now() - start < 50 || during >= 5, `${during} ticks in ${Date.now() - start} ms`);
  }
});

const CORPUS_CASES = [
  'argoproj__argo-events@default',
  'cert-manager__cert-manager@default',
  'grafana__loki-distributed@ingress-values',
  'bitnami__nginx-ingress-controller@default',
  'prometheus-community__kube-prometheus-stack@default',
];

function maskedEqual(got, golden, maskFile) {
  const masked = new Set(fs.existsSync(maskFile) ? fs.readFileSync(maskFile, 'utf8').split(/\s+/).filter(Boolean).map(Number) : []);
  const a = got.split('\n');
  const b = golden.split('\n');
  return a.length === b.length && a.every((x, i) => x === b[i] || masked.has(i + 1));
}

for (const c of CORPUS_CASES) {
  test(`corpus ${c} equals the reference and the CLI`, { skip: hasCorpus ? false : '../shared/conformance is absent' }, async () => {
    const rows = Object.fromEntries(fs.readFileSync(path.join(CONFORMANCE, 'cases.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((r) => [r.split('\t')[0], r.split('\t')]));
    assert.ok(rows[c], `${c} in cases.tsv`);
    const [, chart, values] = rows[c];
    const chartDir = path.join(CONFORMANCE, 'charts', chart);
    const files = values === '-' ? [] : [path.join(chartDir, values)];
    const got = (await helm.templateAsync(chartDir, { releaseName: 'rel', namespace: 'corpus-ns', valueFiles: files })).manifest;
    const golden = path.join(CONFORMANCE, 'golden', `${c}.yaml`);
    const mask = path.join(CONFORMANCE, 'golden', `${c}.mask`);
    assert.ok(maskedEqual(got, fs.readFileSync(golden, 'utf8'), mask));
    if (!fs.existsSync(mask) && CLI) {
      const out = cli('template', 'rel', chartDir, '-n', 'corpus-ns', ...(files.length ? ['-f', files[0]] : []));
      assert.equal(out.code, 0, out.stderr);
      assert.equal(got, out.stdout);
    }
  });
}

test('postRenderer: a program rewrites the stream as the CLI plugin does', { skip: noCli }, async () => {
  // The CLI's post-rendering is compared with Helm's in cli/tests; here the binding must agree
  // with the CLI running the same program as a postrenderer/v1 plugin.
  const plugins = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-rs-node-pr-'));
  const dir = path.join(plugins, 'relabel');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'plugin.yaml'), 'apiVersion: v1\nname: relabel\ntype: postrenderer/v1\nruntime: subprocess\nversion: 0.1.0\nruntimeConfig:\n  platformCommand:\n    - command: ${HELM_PLUGIN_DIR}/run.sh\n');
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\nsed s/hello/HI/g\n', { mode: 0o755 });
  const p = spawnSync(CLI, ['template', HELLO, '--post-renderer', 'relabel'], { encoding: 'utf8', env: { ...process.env, HELM_PLUGINS: plugins } });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /HI/);
  const opts = { postRenderer: ['sed', 's/hello/HI/g'] };
  assert.equal(helm.template(HELLO, opts).manifest, p.stdout);
  assert.equal((await helm.templateAsync(HELLO, opts)).manifest, p.stdout);
});

test('postRenderer failures are RenderErrors', () => {
  assert.throws(
    () => helm.template(HELLO, { postRenderer: ['sh', '-c', 'echo denied >&2; exit 2'] }),
    // As `helm template` prints it, its hint after the message.
    (e) => e.code === 'RenderError' && e.message.startsWith('error while running post render on files: post-renderer "sh" failed (exit status: 2): denied\n'),
  );
});
