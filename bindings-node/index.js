'use strict';
// The public face of helm-rs for Node: loadChart, template, templateAsync.
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

module.exports = { Chart: native.Chart, loadChart, template, templateAsync };
