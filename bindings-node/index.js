'use strict';
// The public face of helm-rs for Node: loadChart, template, templateAsync, Client, RemoteClient.
// The native module does the work; this file only finds it, dispatches on the chart argument and
// turns native errors into Errors with `code` (ChartError, ValuesError, RenderError, HelmError,
// KubeError, ReleaseNotFound), `kind` and, for render errors, template/line/column.
// index.mjs re-exports this module for `import`.

const platform = require('./platform.js');

/**
 * The native module, from the first place that has one:
 *   1. HELM_RS_NATIVE_LIBRARY_PATH, an explicit .node file;
 *   2. ./helm-rs.node, built here (`npm run build` in a checkout, or scripts/install.js building
 *      from source when no prebuilt fits);
 *   3. the platform package (helm-rs-linux-x64-gnu, …), an optionalDependency npm installed
 *      because its os/cpu/libc match.
 * A file that exists but fails to load (wrong architecture, missing glibc symbols) is an error
 * of its own, reported with the others tried.
 */
function loadNative() {
  const tried = [];
  const attempt = (what, load) => {
    try {
      return load();
    } catch (e) {
      tried.push(`  ${what}: ${e && e.code === 'MODULE_NOT_FOUND' ? 'not installed' : e.message}`);
      return null;
    }
  };
  const explicit = process.env.HELM_RS_NATIVE_LIBRARY_PATH;
  if (explicit) {
    const m = attempt(explicit, () => require(explicit));
    if (m) return m;
  }
  const fs = require('node:fs');
  if (fs.existsSync(platform.localNode)) {
    const m = attempt(platform.localNode, () => require(platform.localNode));
    if (m) return m;
  } else {
    tried.push(`  ${platform.localNode}: not built`);
  }
  const m = attempt(platform.packageName, () => require(platform.packageName));
  if (m) return m;
  throw new Error(
    `helm-rs: no native module for this platform (${platform.triple}). Tried:\n${tried.join('\n')}\n` +
      `Install the prebuilt package (npm install ${platform.packageName}), or build from source with a ` +
      `Rust toolchain: \`npm run build\` in a helm-rs checkout's bindings-node/, or reinstall helm-rs ` +
      `(its install script builds from the bundled sources when no prebuilt fits).`,
  );
}

const native = loadNative();

const PREFIX = 'helm-rs:';

function toHelmError(e) {
  if (!(e instanceof Error) || typeof e.message !== 'string' || !e.message.startsWith(PREFIX)) {
    return e;
  }
  let info;
  try {
    info = JSON.parse(e.message.slice(PREFIX.length));
  } catch {
    return e;
  }
  const err = new Error(info.message);
  err.name = info.code;
  err.code = info.code;
  // What kind of failure, as data (invalid_input, not_found, pending, forbidden, render, …).
  err.kind = info.kind ?? null;
  if (info.code === 'RenderError') {
    err.template = info.template ?? null;
    err.line = info.line ?? null;
    err.column = info.column ?? null;
  }
  // RemoteClient: the release server's HTTP status (401, 403, 409, …) and, on 409, the
  // release's pending state.
  if (info.status !== undefined) err.status = info.status;
  if (info.pending !== undefined) err.pending = info.pending;
  return err;
}

function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw toHelmError(e);
  }
}

function split(options) {
  const { values, ...rest } = options ?? {};
  return [rest, values];
}

function loadChart(path) {
  return call(() => native.loadChart(String(path)));
}

function template(chart, options) {
  const [opts, values] = split(options);
  return call(() =>
    chart instanceof native.Chart
      ? native.templateChart(chart, opts, values)
      : native.templatePath(String(chart), opts, values),
  );
}

async function templateAsync(chart, options) {
  const [opts, values] = split(options);
  const promise = call(() =>
    chart instanceof native.Chart
      ? native.templateChartAsync(chart, opts, values)
      : native.templatePathAsync(String(chart), opts, values),
  );
  try {
    return await promise;
  } catch (e) {
    throw toHelmError(e);
  }
}

// Release records come with snake_case keys (helm-core's release_summary); JS gets camelCase.
const RELEASE_KEYS = { chart_version: 'chartVersion', app_version: 'appVersion', first_deployed: 'firstDeployed', last_deployed: 'lastDeployed' };

function toRelease(r) {
  const out = {};
  for (const [k, v] of Object.entries(r)) out[RELEASE_KEYS[k] ?? k] = v;
  return out;
}

function toPlan(p) {
  const { suppressed_kinds: suppressedKinds, notes, ...rest } = p;
  return { ...rest, suppressedKinds, notes: notes ?? [] };
}

async function settle(promise, convert) {
  try {
    return convert(await promise);
  } catch (e) {
    throw toHelmError(e);
  }
}

const REFERENCE = /^(oci|https?):\/\//;

/**
 * Helm's release actions on a cluster (helm-kube); every method returns a Promise. `chart` is a
 * Chart, a chart directory or .tgz, an `oci://` or `http(s)://` reference (`version`,
 * `plainHttp`), or a chart name with `{ repo: URL }`. Errors carry `code` and `kind` (index.d.ts
 * has the table); RemoteClient's also the release server's `status` and `pending`.
 */
class Client {
  constructor(options, nativeClient) {
    // nativeClient: RemoteClient passes its own (the same methods, sent to a release server).
    const progress = options?.progress;
    const native_options = options ? { ...options, progress: undefined } : undefined;
    this._native = nativeClient ?? call(() =>
      new native.NativeClient(native_options, progress ? (json) => progress(JSON.parse(json)) : undefined));
  }

  get namespace() {
    return this._native.namespace;
  }

  async install(name, chart, options) {
    const [opts, values, source] = chartSplit(chart, options);
    return settle(
      call(() => (source ? this._native.installSource(name, source, opts, values) : this._native.install(name, chart, opts, values))),
      toRelease,
    );
  }

  async upgrade(name, chart, options) {
    const [opts, values, source] = chartSplit(chart, options);
    return settle(
      call(() => (source ? this._native.upgradeSource(name, source, opts, values) : this._native.upgrade(name, chart, opts, values))),
      toRelease,
    );
  }

  async plan(name, chart, options) {
    const [opts, values, source] = chartSplit(chart, options);
    return settle(
      call(() => (source ? this._native.planSource(name, source, opts, values) : this._native.plan(name, chart, opts, values))),
      toPlan,
    );
  }

  rollback(name, options) {
    return settle(call(() => this._native.rollback(name, options ?? undefined)), toRelease);
  }

  uninstall(name, options) {
    return settle(call(() => this._native.uninstall(name, options ?? undefined)), toRelease);
  }

  status(name, options) {
    return settle(call(() => this._native.status(name, options ?? undefined)), toRelease);
  }

  history(name, options) {
    return settle(call(() => this._native.history(name, options ?? undefined)), (l) => l.map(toRelease));
  }

  list(options) {
    return settle(call(() => this._native.list(options ?? undefined)), (l) => l.map(toRelease));
  }

  getValues(name, options) {
    return settle(call(() => this._native.getValues(name, options ?? undefined)), (v) => v);
  }

  test(name, options) {
    return settle(call(() => this._native.test(name, options ?? undefined)), toRelease);
  }

  recover(name, options) {
    return settle(call(() => this._native.recover(name, options ?? undefined)), toRelease);
  }
}

/**
 * Releases through a release server (`helm-rs serve`), acting with the caller's Kubernetes
 * token: Client's methods, arguments, results and errors. A chart directory or a Chart is
 * packaged here and uploaded; references are downloaded by the server.
 */
class RemoteClient extends Client {
  constructor(options) {
    super(undefined, call(() => native.NativeClient.remote(options ?? {})));
  }
}

/** [native options, values, chart source (null for a loaded Chart)]. */
function chartSplit(chart, options) {
  const { values, version, repo, plainHttp, ...opts } = options ?? {};
  let source = null;
  if (!(chart instanceof native.Chart)) {
    const s = String(chart);
    if (repo !== undefined) source = { repoUrl: String(repo), name: s, version };
    else if (REFERENCE.test(s)) source = { reference: s, version, plainHttp };
    else source = { path: s };
  }
  return [opts, values, source];
}

module.exports = { Chart: native.Chart, Client, RemoteClient, loadChart, template, templateAsync };
