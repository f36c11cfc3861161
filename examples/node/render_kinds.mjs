// Renders examples/charts/hello with a value set in code and prints `Kind/name` of every
// document, hooks last (the same program as examples/rust and examples/python).
// Run: node examples/node/render_kinds.mjs [CHART]  (with bindings-node built, or helm-rs installed)
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
let helm;
try {
  helm = require('helm-rs');
} catch {
  helm = require(path.join(here, '..', '..', 'bindings-node'));
}

const chart = process.argv[2] ?? path.join(here, '..', 'charts', 'hello');
try {
  const result = await helm.templateAsync(chart, { values: { replicaCount: 2 } });
  for (const doc of [...result.manifests, ...result.hooks]) {
    console.log(`${doc.kind}/${doc.name}`);
  }
} catch (e) {
  console.error(`Error: ${e.message}`);
  process.exit(1);
}
