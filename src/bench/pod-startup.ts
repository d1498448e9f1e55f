/**
 * Pod startup latency as the Kubernetes SLO defines it: from the create
 * request to the pod's Ready condition seen through a watch. Pods are created
 * all at once, as a ReplicaSet stamps them out, or one every `intervalMs`, as
 * upstream's node density tests pace them; the cluster's scheduler binds them.
 */
import { performance } from 'node:perf_hooks';
import type { KubeClient } from './kube-client.js';

export interface PodStartupOptions {
  namespace: string;
  image: string;
  count: number;
  /** Name prefix; pods are `<prefix>-<i>`. */
  prefix: string;
  timeoutMs: number;
  /** Milliseconds between two creates; 0 (the default) creates every pod at once. */
  intervalMs?: number;
}

export interface PodStartupResult {
  /** Create → Ready of every pod, in milliseconds, in pod order. */
  latenciesMs: number[];
  /** Create → bound to the node (the scheduler's share), in pod order. */
  scheduledMs: number[];
  /** Create → first status with the container running (the agent and runtime's share ends here), in pod order. */
  runningMs: number[];
  /** Create of the first pod → Ready of the last. */
  wallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `create(i)` for every index, one every `intervalMs` (all at once for 0), and waits for all of them. */
export async function createPaced(count: number, intervalMs: number, create: (i: number) => Promise<void>): Promise<void> {
  const started: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    // Paced against the start, not the previous create: a slow request does not stretch the schedule.
    // Timers count whole milliseconds and may wake a fraction early: sleep until the time has truly come.
    for (let wait = t0 + i * intervalMs - performance.now(); intervalMs > 0 && wait > 0; wait = t0 + i * intervalMs - performance.now()) await sleep(Math.max(1, wait));
    started.push(create(i));
  }
  await Promise.all(started);
}

/** A pod that is Ready as soon as its container runs, and stops within a second. */
export function startupPod(namespace: string, name: string, image: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'pod-startup' } },
    spec: {
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

interface WatchedPod {
  metadata?: { name?: string };
  spec?: { nodeName?: string };
  status?: { conditions?: { type: string; status: string }[]; containerStatuses?: { state?: { running?: unknown } }[] };
}

const isReady = (p: WatchedPod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function measurePodStartup(client: KubeClient, o: PodStartupOptions): Promise<PodStartupResult> {
  const names = Array.from({ length: o.count }, (_, i) => `${o.prefix}-${i}`);
  const createdAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const scheduledAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  let allReady!: () => void;
  const done = new Promise<void>((resolve) => (allReady = resolve));
  // Watch first, so no Ready transition can slip between the creates and the watch.
  const watch = client.watch(`/api/v1/namespaces/${o.namespace}/pods?watch=true&labelSelector=app%3Dpod-startup`, (ev) => {
    const pod = ev.object as WatchedPod;
    const name = pod.metadata?.name;
    if (!name || readyAt.has(name) || !createdAt.has(name)) return;
    const now = performance.now();
    if (pod.spec?.nodeName && !scheduledAt.has(name)) scheduledAt.set(name, now);
    if (pod.status?.containerStatuses?.some((c) => c.state?.running) && !runningAt.has(name)) runningAt.set(name, now);
    if (!isReady(pod)) return;
    readyAt.set(name, now);
    if (readyAt.size === names.length) allReady();
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await watch.established;
    const t0 = performance.now();
    await createPaced(names.length, o.intervalMs ?? 0, async (i) => {
      const name = names[i]!;
      createdAt.set(name, performance.now());
      await client.json('POST', `/api/v1/namespaces/${o.namespace}/pods`, { body: startupPod(o.namespace, name, o.image) });
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${o.count - readyAt.size} of ${o.count} pods not Ready after ${o.timeoutMs} ms`)), o.timeoutMs);
    });
    await Promise.race([done, timeout]);
    const last = Math.max(...readyAt.values());
    // A phase not seen on its own (two changes in one event) ends when the next one is seen.
    const since = (at: Map<string, number>) => names.map((n) => (at.get(n) ?? readyAt.get(n)!) - createdAt.get(n)!);
    return { latenciesMs: since(readyAt), scheduledMs: since(scheduledAt), runningMs: since(runningAt), wallMs: last - t0 };
  } finally {
    clearTimeout(timer);
    watch.close();
  }
}
