/**
 * LIST of a namespace full of pods as kubectl asks for it: whole, walked in
 * pages with limit/continue, and as Tables in pages (`kubectl get`). Times run to the last byte
 * of the response (the client's decode is not the server's cost); counts are
 * checked outside the timed runs.
 */
import { performance } from 'node:perf_hooks';
import type { KubeClient } from './kube-client.js';
import { median, round } from './stats.js';

export interface ListResult {
  pods: number;
  wholeMs: number;
  wholeMB: number;
  pagedMs: number;
  pages: number;
  pageSize: number;
  /** The first Table walk in pages, as `kubectl get` lists: every object is decoded for its cells here. */
  tableFirstMs: number;
  /** Later Table walks in pages (median). */
  tableMs: number;
}

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

// The list metadata precedes the items, so the token is found without decoding megabytes.
const CONTINUE_RE = /^\{[^[]*?"metadata":\{[^}]*?"continue":"([^"]+)"/;

async function getOK(client: KubeClient, path: string, accept?: string) {
  const r = await client.request('GET', path, { accept });
  if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  return r;
}

async function walkPages(client: KubeClient, base: string, pageSize: number, onPage?: (body: string) => void, accept?: string): Promise<number> {
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await getOK(client, `${base}?limit=${pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`, accept);
    pages++;
    onPage?.(r.body);
    token = CONTINUE_RE.exec(r.body.slice(0, 4096))?.[1];
  } while (token);
  return pages;
}

export async function listBench(client: KubeClient, opts: { namespace: string; pods: number; runs: number; pageSize: number }): Promise<ListResult> {
  const base = `/api/v1/namespaces/${opts.namespace}/pods`;

  const whole: number[] = [];
  let bytes = 0;
  for (let i = 0; i < opts.runs; i++) {
    const t = performance.now();
    const r = await getOK(client, base);
    whole.push(performance.now() - t);
    bytes = r.bytes;
    if (i === 0) {
      const n = (JSON.parse(r.body) as { items: unknown[] }).items.length;
      if (n !== opts.pods) throw new Error(`LIST returned ${n} pods, want ${opts.pods}`);
    }
  }

  let seen = 0;
  await walkPages(client, base, opts.pageSize, (body) => (seen += (JSON.parse(body) as { items: unknown[] }).items.length));
  if (seen !== opts.pods) throw new Error(`paged LIST returned ${seen} pods, want ${opts.pods}`);
  const paged: number[] = [];
  let pages = 0;
  for (let i = 0; i < opts.runs; i++) {
    const t = performance.now();
    pages = await walkPages(client, base, opts.pageSize);
    paged.push(performance.now() - t);
  }

  // Tables as kubectl get asks for them: in pages. The first walk decodes every object for its cells.
  const tables: number[] = [];
  const firstPages: string[] = [];
  for (let i = 0; i <= opts.runs; i++) {
    const t = performance.now();
    await walkPages(client, base, opts.pageSize, i === 0 ? (body) => firstPages.push(body) : undefined, TABLE_ACCEPT);
    tables.push(performance.now() - t);
  }
  let rows = 0;
  for (const body of firstPages) {
    const table = JSON.parse(body) as { kind: string; rows?: unknown[] };
    if (table.kind !== 'Table') throw new Error(`Table LIST returned ${table.kind}`);
    rows += table.rows?.length ?? 0;
  }
  if (rows !== opts.pods) throw new Error(`Table LIST returned ${rows} rows, want ${opts.pods}`);

  return {
    pods: opts.pods,
    wholeMs: round(median(whole), 1),
    wholeMB: round(bytes / (1 << 20), 2),
    pagedMs: round(median(paged), 1),
    pages,
    pageSize: opts.pageSize,
    tableFirstMs: round(tables[0]!, 1),
    tableMs: round(median(tables.slice(1)), 1),
  };
}
