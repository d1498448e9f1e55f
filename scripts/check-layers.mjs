#!/usr/bin/env node
// Layer boundaries: a module may import only from its own layer or a layer
// below it. Components (controllers, scheduler, kubelet, ...) sit side by side
// and may not import each other, storage or apiserver.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
const rank = {
  machinery: 0,
  api: 1,
  storage: 2,
  apiserver: 3,
  client: 3,
  controllers: 4, scheduler: 4, kubelet: 4, proxy: 4, dns: 4, ingress: 4, cli: 4, charts: 4, dashboard: 4, sim: 4,
  cmd: 5,
  testing: 6,
  e2e: 7,
  bench: 7,
};
// Who may import what beyond the plain rank order.
const forbidden = {
  client: ['storage', 'apiserver'],
  apiserver: ['client'],
};
const components = new Set(['controllers', 'scheduler', 'kubelet', 'proxy', 'dns', 'ingress', 'cli', 'charts', 'dashboard', 'sim']);
for (const c of components) forbidden[c] = ['storage', 'apiserver', ...[...components].filter((o) => o !== c)];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name)) out.push(p);
  }
  return out;
}

const layerOf = (file) => relative(root, file).split(sep)[0];
const problems = [];
for (const file of walk(root)) {
  const from = layerOf(file);
  if (!(from in rank)) {
    problems.push(`${relative(root, file)}: unknown layer "${from}" (add it to scripts/check-layers.mjs)`);
    continue;
  }
  const isTest = /\.test\.ts$/.test(file);
  const text = readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(root)) continue;
    const to = layerOf(target);
    if (to === from) continue;
    // Tests may use the shared test helpers.
    if (isTest && to === 'testing') continue;
    const bad = rank[to] === undefined || rank[to] > rank[from] || (forbidden[from] ?? []).includes(to);
    if (bad) problems.push(`${relative(root, file)}: ${from} may not import ${to} (${spec})`);
  }
}
if (problems.length) {
  console.error('layer check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('layer check: ok');
