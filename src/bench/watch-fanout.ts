/**
 * Watch fan-out: many watchers on one namespace's pods, then a series of
 * writes. For every (watcher, event) pair the delay runs from just before the
 * write request was sent to the moment that watcher decoded the event.
 */
import { performance } from 'node:perf_hooks';
import type { KubeClient, WatchHandle } from './kube-client.js';
import { benchPod } from './pod-fixture.js';
import { round, summarize } from './stats.js';

export interface WatchResult {
  watchers: number;
  writes: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  /** Time to establish every watch. */
  connectMs: number;
  /** Acknowledged writes per second while the watchers were fed. */
  writesPerSec: number;
}

export interface WatchOptions {
  namespace: string;
  watchers: number;
  writes: number;
  /** Called with every watch open and every event delivered, before the watches close. */
  whileOpen?: () => void;
  /** How long to wait for stragglers after the last write was acknowledged. */
  drainTimeoutMs?: number;
}

const PREFIX = 'w-';

export async function watchFanout(client: KubeClient, opts: WatchOptions): Promise<WatchResult> {
  const { namespace: ns, watchers, writes } = opts;
  const base = `/api/v1/namespaces/${ns}/pods`;
  const list = await client.json<{ metadata: { resourceVersion: string } }>('GET', base);
  const sentAt = new Float64Array(writes);
  // One slot per (write, watcher): a duplicate or lost event shows up in the count.
  const delay = new Float64Array(writes * watchers).fill(NaN);
  let delivered = 0;
  let strays = 0;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((r) => (allDelivered = r));

  const handles: WatchHandle[] = [];
  try {
    const t0 = performance.now();
    for (let w = 0; w < watchers; w++) {
      handles.push(
        client.watch(`${base}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (ev) => {
          const now = performance.now();
          const name = String(ev.object?.metadata?.name ?? '');
          const j = ev.type === 'ADDED' && name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length)) : NaN;
          const slot = j * watchers + w;
          if (!Number.isInteger(j) || j >= writes || !Number.isNaN(delay[slot]!)) {
            strays++;
            return;
          }
          delay[slot] = now - sentAt[j]!;
          if (++delivered === writes * watchers) allDelivered();
        }),
      );
    }
    await Promise.all(handles.map((h) => h.established));
    const connectMs = performance.now() - t0;

    const bodies = Array.from({ length: writes }, (_, j) => JSON.stringify(benchPod(ns, `${PREFIX}${j}`)));
    const w0 = performance.now();
    for (let j = 0; j < writes; j++) {
      sentAt[j] = performance.now();
      const r = await client.request('POST', base, { body: bodies[j] });
      if (r.status !== 201) throw new Error(`create ${PREFIX}${j}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    }
    const writesPerSec = (writes * 1000) / (performance.now() - w0);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, opts.drainTimeoutMs ?? 30_000)))]);
    clearTimeout(timer);
    opts.whileOpen?.();

    const got = delay.filter((d) => !Number.isNaN(d));
    const s = summarize(got);
    if (strays) throw new Error(`${strays} unexpected watch events (duplicates or foreign objects)`);
    return {
      watchers,
      writes,
      delivered,
      expected: writes * watchers,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      connectMs: round(connectMs, 1),
      writesPerSec: round(writesPerSec, 1),
    };
  } finally {
    for (const h of handles) h.close();
  }
}
