'use strict';
// The public face of helm-rs for Node: loadChart, template, templateAsync, Client.
// The native module (helm-rs.node, built by `npm run build`) does the work; this file only
// dispatches on the chart argument and turns native errors into Errors with `code`
// (ChartError, ValuesError, RenderError, HelmError) and, for render errors, template/line/column.

const native = require('./helm-rs.node');

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
  if (info.code === 'RenderError') {
    err.template = info.template ?? null;
    err.line = info.line ?? null;
    err.column = info.column ?? null;
  }
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

async function settle(promise, convert) {
  try {
    return convert(await promise);
  } catch (e) {
    throw toHelmError(e);
  }
}

function chartArg(chart) {
  return chart instanceof native.Chart ? chart : loadChart(chart);
}

/** Releases on one cluster (helm-kube); every method returns a Promise. */
class Client {
  constructor(options) {
    this._native = call(() => new native.NativeClient(options ?? undefined));
  }

  get namespace() {
    return this._native.namespace;
  }

  async install(name, chart, options) {
    const [opts, values] = split(options);
    return settle(call(() => this._native.install(name, chartArg(chart), opts, values)), toRelease);
  }

  async upgrade(name, chart, options) {
    const [opts, values] = split(options);
    return settle(call(() => this._native.upgrade(name, chartArg(chart), opts, values)), toRelease);
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
}

module.exports = { Chart: native.Chart, Client, loadChart, template, templateAsync };
