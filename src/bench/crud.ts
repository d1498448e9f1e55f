/**
 * Create / get / update / delete latency of pods at a given number of
 * concurrent clients, each operation phase run over the same set of pods in a
 * fresh namespace.
 */
import { performance } from 'node:perf_hooks';
import type { KubeClient } from './kube-client.js';
import { benchPod } from './pod-fixture.js';
import { runPool } from './pool.js';
import { round, summarize } from './stats.js';

export const CRUD_OPS = ['create', 'get', 'update', 'delete'] as const;
export type CrudOp = (typeof CRUD_OPS)[number];

export interface OpFigures {
  p50: number;
  p99: number;
  opsPerSec: number;
}

export type CrudLevelResult = Record<CrudOp, OpFigures>;

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.json('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export async function crudLevel(client: KubeClient, opts: { namespace: string; clients: number; ops: number }): Promise<CrudLevelResult> {
  const { namespace: ns, clients, ops } = opts;
  const base = `/api/v1/namespaces/${ns}/pods`;
  const names = Array.from({ length: ops }, (_, i) => `pod-${i}`);
  const bodies = names.map((n) => JSON.stringify(benchPod(ns, n)));
  const fetched = new Array<string>(ops);

  const phase = async (op: CrudOp, want: number[], send: (i: number) => Promise<{ status: number; body: string }>): Promise<OpFigures> => {
    const lat = new Float64Array(ops);
    const t0 = performance.now();
    await runPool(clients, ops, async (i) => {
      const t = performance.now();
      const r = await send(i);
      lat[i] = performance.now() - t;
      if (!want.includes(r.status)) throw new Error(`${op} ${names[i]}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
      if (op === 'get') fetched[i] = r.body;
    });
    const wall = performance.now() - t0;
    const s = summarize(lat);
    return { p50: s.p50, p99: s.p99, opsPerSec: round((ops * 1000) / wall, 1) };
  };

  const create = await phase('create', [201], (i) => client.request('POST', base, { body: bodies[i] }));
  const get = await phase('get', [200], (i) => client.request('GET', `${base}/${names[i]}`));
  // The update body is built before the clock starts: a client edits what it read.
  const updates = fetched.map((b) => {
    const o = JSON.parse(b) as { metadata: { labels: Record<string, string> } };
    o.metadata.labels.revision = '2';
    return JSON.stringify(o);
  });
  const update = await phase('update', [200], (i) => client.request('PUT', `${base}/${names[i]}`, { body: updates[i] }));
  const del = await phase('delete', [200, 202], (i) => client.request('DELETE', `${base}/${names[i]}`));
  return { create, get, update, delete: del };
}

/** Creates `count` pods named `prefix-<i>` with `clients` in flight; returns creates per second. */
export async function fillPods(client: KubeClient, opts: { namespace: string; prefix: string; count: number; clients: number }): Promise<number> {
  const base = `/api/v1/namespaces/${opts.namespace}/pods`;
  const t0 = performance.now();
  await runPool(opts.clients, opts.count, async (i) => {
    const r = await client.request('POST', base, { body: benchPod(opts.namespace, `${opts.prefix}-${i}`) });
    if (r.status !== 201) throw new Error(`create ${opts.prefix}-${i}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  });
  return round((opts.count * 1000) / (performance.now() - t0), 1);
}
