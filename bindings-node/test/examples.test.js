'use strict';
// examples/node/render_kinds.mjs prints what examples/rust/render_kinds.rs prints.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./helpers');

function rustExample() {
  for (const t of [process.env.CARGO_TARGET_DIR, path.join(ROOT, 'target')]) {
    const p = t && path.join(t, 'debug', 'examples', 'render-kinds');
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

test('node example prints the kinds the Rust example prints', (t) => {
  const p = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'node', 'render_kinds.mjs')], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const lines = p.stdout.split('\n');
  assert.ok(lines.includes('Deployment/release-name-hello'));
  assert.ok(lines.includes('Service/release-name-hello'));
  const rust = rustExample();
  if (!rust) return t.skip('Rust example not built');
  const r = spawnSync(rust, [], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(p.stdout, r.stdout);
});

test('node example reports errors', () => {
  const p = spawnSync(process.execPath, [path.join(ROOT, 'examples', 'node', 'render_kinds.mjs'), '/nonexistent/chart'], { encoding: 'utf8' });
  assert.equal(p.status, 1);
  assert.match(p.stderr, /^Error: path/);
});
