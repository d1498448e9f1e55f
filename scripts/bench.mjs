#!/usr/bin/env node
// npm run bench -- <name> [flags]: runs dist/bench/<name>.js (build first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const [name, ...rest] = process.argv.slice(2);
const dir = join(repo, 'dist', 'bench');
// Entry points only; the other modules in dist/bench are their helpers.
const BENCHMARKS = ['api', 'scheduler', 'cluster', 'pods'];
const available = existsSync(dir) ? BENCHMARKS.filter((b) => readdirSync(dir).includes(`${b}.js`)) : [];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [flags]\navailable: ${available.join(', ') || '(none: run npm run build first)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--expose-gc', join(dir, `${name}.js`), ...rest], { stdio: 'inherit', cwd: repo });
process.exit(r.status ?? 1);
