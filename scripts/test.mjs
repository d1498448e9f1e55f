#!/usr/bin/env node
// The whole check a submission must pass: type-check + build, lint, layer
// boundaries, unit tests, then end-to-end tests against a real `k8ts server`.
//   node scripts/test.mjs [--unit | --e2e] [file filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs, label) {
  const t0 = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: repo, stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n${label}: FAILED (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`${label}: ok (${secs}s)`);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const bin = (n) => join(repo, 'node_modules', '.bin', n);
run(bin('tsc'), ['-p', 'tsconfig.json'], 'type-check and build');
if (only === 'all') {
  run(bin('eslint'), ['src', 'scripts'], 'lint');
  run('node', ['scripts/check-layers.mjs'], 'layers');
}
const all = walk(join(repo, 'dist')).filter((f) => !filters.length || filters.some((x) => f.includes(x)));
const e2e = all.filter((f) => f.includes(`${'/'}e2e${'/'}`));
const unit = all.filter((f) => !e2e.includes(f));
const files = only === 'unit' ? unit : only === 'e2e' ? e2e : [...unit, ...e2e];
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}
// One node --test run so the runner prints one summary for CI to read.
run('node', ['--test', '--test-concurrency=2', '--test-reporter=spec', '--test-timeout=600000', ...files], 'tests');
