/**
 * Watch fan-out: many watchers on one namespace's pods, then a series of
 * writes. For every (watcher, event) pair the delay runs from just before the
 * write request was sent to the moment the event's line reached that watcher.
 *
 * The watchers share this machine's cores with the server, and decoding every
 * event (a thousand JSON parses per write) would make the figure mostly the
 * benchmark client's own parsing queue. So on arrival a line is only read for
 * its type and object name; one line in DECODE_EVERY is decoded in full and
 * must agree, and any line that does not match an expected event fails the run.
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
const DECODE_EVERY = 50;

/** The event type and object name of a watch line as this server writes pods (metadata.name first in metadata). */
function eventHead(line: string): { type: string; name: string } | undefined {
  const t = /^\{"type":"([A-Z]+)"/.exec(line);
  const m = line.indexOf('"metadata":{');
  const n = m < 0 ? -1 : line.indexOf('"name":"', m);
  if (!t || n < 0) return undefined;
  const start = n + '"name":"'.length;
  return { type: t[1]!, name: line.slice(start, line.indexOf('"', start)) };
}

export async function watchFanout(client: KubeClient, opts: WatchOptions): Promise<WatchResult> {
  const { namespace: ns, watchers, writes } = opts;
  const base = `/api/v1/namespaces/${ns}/pods`;
  const list = await client.json<{ metadata: { resourceVersion: string } }>('GET', base);
  const sentAt = new Float64Array(writes);
  // One slot per (write, watcher): a duplicate or lost event shows up in the count.
  const delay = new Float64Array(writes * watchers).fill(NaN);
  let delivered = 0;
  let strays = 0;
  let lines = 0;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((r) => (allDelivered = r));

  const handles: WatchHandle[] = [];
  try {
    const t0 = performance.now();
    for (let w = 0; w < watchers; w++) {
      handles.push(
        client.watchLines(`${base}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (line) => {
          const now = performance.now();
          const head = eventHead(line);
          if (head && ++lines % DECODE_EVERY === 0) {
            const ev = JSON.parse(line) as { type?: string; object?: { metadata?: { name?: string } } };
            if (ev.type !== head.type || ev.object?.metadata?.name !== head.name) {
              strays++;
              return;
            }
          }
          const j = head?.type === 'ADDED' && head.name.startsWith(PREFIX) ? Number(head.name.slice(PREFIX.length)) : NaN;
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
