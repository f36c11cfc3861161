// Renders a large corpus chart from Node with helm-rs (sync and templateAsync) and by spawning
// the reference `helm template` (shared/tools/helm-oracle), and prints the timings and ratio.
// Usage: node benches/bindings-bench.mjs [RUNS] [CHART_DIR]   (after `npm run build` in bindings-node)
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const helm = createRequire(import.meta.url)(path.join(root, 'bindings-node'));
const oracle = path.join(root, '..', 'shared', 'tools', 'helm-oracle');
const runs = Number(process.argv[2] ?? 5);
const chart = process.argv[3] ?? path.join(root, '..', 'shared', 'conformance', 'charts', 'prometheus-community__kube-prometheus-stack');

async function timed(fn) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length / 2)], times[0]];
}

const fmt = ([med, min]) => `${med.toFixed(1).padStart(8)} ms (${min.toFixed(1)})`;

if (!fs.existsSync(chart)) {
  console.log(`skip: ${chart} is absent`);
  process.exit(0);
}
const opts = { releaseName: 'rel', namespace: 'corpus-ns' };
const sync = await timed(() => helm.template(chart, opts));
const asyncT = await timed(() => helm.templateAsync(chart, opts));
const loaded = helm.loadChart(chart);
const loadedT = await timed(() => helm.template(loaded, opts));
console.log(`chart: ${path.basename(chart)}, ${runs} runs, median (min)`);
console.log(`helm.template(path)               ${fmt(sync)}`);
console.log(`helm.templateAsync(path)          ${fmt(asyncT)}`);
console.log(`helm.template(loaded Chart)       ${fmt(loadedT)}`);
if (!fs.existsSync(oracle)) {
  console.log(`skip: ${oracle} is absent, no reference timing`);
  process.exit(0);
}
const ref = await timed(() => execFileSync(oracle, ['template', 'rel', chart, '-n', 'corpus-ns'], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 28 }));
console.log(`spawn helm template (4.1.4)       ${fmt(ref)}`);
console.log(`ratio (helm spawn / helm.template(path)): ${(ref[0] / sync[0]).toFixed(2)}x`);
