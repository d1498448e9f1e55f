/**
 * The scheduling queue, as kube-scheduler's PriorityQueue: activeQ (heap by
 * the profile's QueueSort), backoffQ (heap by back-off expiry), and
 * unschedulablePods, which go back only on cluster events that a plugin
 * that rejected them registered for, or after staying there too long.
 * PreEnqueue plugins (scheduling gates) hold pods out of activeQ. All time
 * comes from the injected Clock.
 */
import type { PodT } from '../../api/core/v1/types.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { eventMatches, type ClusterEvent, type ClusterEventWithHint } from '../framework/events.js';
import type { QueuedPodInfo } from '../framework/interface.js';
import { podKey } from '../framework/node-info.js';
import type { Nominator } from '../framework/framework.js';
import { Status } from '../framework/status.js';
import { Heap } from './heap.js';


const NO_PODS: PodT[] = [];
export interface SchedulingQueueOptions {
  clock: Clock;
  /** The profile's QueueSort order. */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** The profile's PreEnqueue plugins; success admits the pod to activeQ. */
  preEnqueue?: (pod: PodT) => Status;
  /** Events each plugin registered (Framework.eventsToRegister()). */
  eventsToRegister?: ReadonlyMap<string, ClusterEventWithHint[]>;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
}

export type QueueName = 'activeQ' | 'backoffQ' | 'unschedulablePods';

const DEFAULT_INITIAL_BACKOFF_MS = 1000;
const DEFAULT_MAX_BACKOFF_MS = 10_000;
const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;
const BACKOFF_FLUSH_INTERVAL_MS = 1000;
const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

const infoKey = (q: QueuedPodInfo): string => podKey(q.pod);

export class SchedulingQueue implements Nominator {
  private readonly clock: Clock;
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly nominated = new Map<string, { pod: PodT; nodeName: string }>();
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private cycle = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: SchedulingQueueOptions) {
    this.clock = opts.clock;
    this.initialBackoff = opts.podInitialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoff = opts.podMaxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxInUnschedulable = opts.podMaxInUnschedulablePodsDurationMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
    this.activeQ = new Heap(infoKey, opts.less);
    this.backoffQ = new Heap(infoKey, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** The scheduling cycle counter; incremented by every pop. */
  schedulingCycle(): number {
    return this.cycle;
  }

  /** Exponential back-off: initial * 2^(attempts-1), capped. */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.clock.now();
  }

  private newInfo(pod: PodT): QueuedPodInfo {
    const now = this.clock.now();
    return { pod, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() };
  }

  /** Runs PreEnqueue; admitted pods go to activeQ, gated ones wait in unschedulablePods. */
  private moveToActiveQ(q: QueuedPodInfo): QueueName {
    const st = this.opts.preEnqueue?.(q.pod) ?? Status.success();
    const key = infoKey(q);
    if (!st.isSuccess()) {
      q.gatedBy = st.plugin || 'PreEnqueue';
      this.unschedulable.set(key, q);
      return 'unschedulablePods';
    }
    q.gatedBy = undefined;
    this.unschedulable.delete(key);
    this.backoffQ.delete(key);
    this.activeQ.addOrUpdate(q);
    this.wake();
    return 'activeQ';
  }

  /** A new pending pod. */
  add(pod: PodT): QueueName {
    const key = podKey(pod);
    this.unschedulable.delete(key);
    this.backoffQ.delete(key);
    return this.moveToActiveQ(this.newInfo(pod));
  }

  /** A pending pod changed: update it where it is, and give an unschedulable pod another chance. */
  update(oldPod: PodT | undefined, newPod: PodT): QueueName {
    const key = podKey(newPod);
    const inActive = this.activeQ.get(key);
    if (inActive) {
      this.activeQ.addOrUpdate({ ...inActive, pod: newPod });
      return 'activeQ';
    }
    const inBackoff = this.backoffQ.get(key);
    if (inBackoff) {
      this.backoffQ.addOrUpdate({ ...inBackoff, pod: newPod });
      return 'backoffQ';
    }
    const u = this.unschedulable.get(key);
    if (!u) return this.add(newPod);
    const q: QueuedPodInfo = { ...u, pod: newPod };
    if (oldPod && JSON.stringify(oldPod.spec) === JSON.stringify(newPod.spec) && JSON.stringify(oldPod.metadata?.labels) === JSON.stringify(newPod.metadata?.labels)) {
      this.unschedulable.set(key, q);
      return 'unschedulablePods';
    }
    if (q.gatedBy || !this.isBackingOff(q)) return this.moveToActiveQ(q);
    this.unschedulable.delete(key);
    this.backoffQ.addOrUpdate(q);
    return 'backoffQ';
  }

  delete(pod: PodT): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.deleteNominatedPodIfExists(pod);
  }

  /** The next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    this.cycle++;
    return q;
  }

  /** Waits until a pod is available (or the signal aborts). */
  async popWait(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    for (;;) {
      if (signal?.aborted || this.closed) return undefined;
      const q = this.pop();
      if (q) return q;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * A pod that failed its cycle. If a move request came in while it was
   * being scheduled, or it failed with an error rather than a rejection,
   * it backs off; otherwise it waits for an event in unschedulablePods.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): QueueName {
    const key = infoKey(q);
    if (this.unschedulable.has(key) || this.activeQ.has(key) || this.backoffQ.has(key)) return this.where(key)!;
    q.timestamp = this.clock.now();
    if (this.moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.backoffQ.addOrUpdate(q);
      return 'backoffQ';
    }
    this.unschedulable.set(key, q);
    return 'unschedulablePods';
  }

  where(key: string): QueueName | undefined {
    if (this.activeQ.has(key)) return 'activeQ';
    if (this.backoffQ.has(key)) return 'backoffQ';
    if (this.unschedulable.has(key)) return 'unschedulablePods';
    return undefined;
  }

  /** Whether the event could make the pod schedulable, judged by the plugins that rejected it. */
  private worthRequeuing(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (event.label === 'UnschedulableTimeout' || event.label === 'ForceActivate') return true;
    if (q.unschedulablePlugins.size === 0) return true;
    const registered = this.opts.eventsToRegister;
    if (!registered) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const e of registered.get(plugin) ?? []) {
        if (!eventMatches(e.event, event)) continue;
        if (!e.hint || e.hint(q.pod, oldObj, newObj) === 'Queue') return true;
      }
    }
    return false;
  }

  /** Moves unschedulable pods the event may help to activeQ or, if still backing off, backoffQ. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: unknown, newObj?: unknown, filter?: (q: QueuedPodInfo) => boolean): number {
    let moved = 0;
    for (const [key, q] of [...this.unschedulable]) {
      if (q.gatedBy) continue;
      if (filter && !filter(q)) continue;
      if (!this.worthRequeuing(q, event, oldObj, newObj)) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q);
      else this.moveToActiveQ(q);
      moved++;
    }
    this.moveRequestCycle = this.cycle;
    return moved;
  }

  /** Forces the given pods to activeQ wherever they wait. */
  activate(pods: readonly PodT[]): void {
    for (const pod of pods) {
      const key = podKey(pod);
      const q = this.unschedulable.get(key) ?? this.backoffQ.get(key);
      if (!q || q.gatedBy) continue;
      this.backoffQ.delete(key);
      this.moveToActiveQ(q);
    }
  }

  /** Moves pods whose back-off has expired to activeQ. */
  flushBackoffQCompleted(): number {
    let n = 0;
    const now = this.clock.now();
    for (;;) {
      const top = this.backoffQ.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.backoffQ.pop();
      this.moveToActiveQ(top);
      n++;
    }
    return n;
  }

  /** Pods that sat in unschedulablePods longer than the limit get another try. */
  flushUnschedulablePodsLeftover(): number {
    const now = this.clock.now();
    const stale = [...this.unschedulable.values()].filter((q) => !q.gatedBy && now - q.timestamp > this.maxInUnschedulable);
    if (stale.length === 0) return 0;
    const keys = new Set(stale.map(infoKey));
    return this.moveAllToActiveOrBackoffQueue({ resource: '*', actionType: -1, label: 'UnschedulableTimeout' }, undefined, undefined, (q) => keys.has(infoKey(q)));
  }

  /** Periodic flushes until the signal aborts (1 s back-off flush, 30 s leftover flush). */
  run(signal: AbortSignal): void {
    const current = new Map<string, Timer>();
    const every = (name: string, ms: number, fn: () => void) => {
      const tick = () => {
        if (signal.aborted) return;
        fn();
        current.set(name, this.clock.setTimeout(tick, ms));
      };
      current.set(name, this.clock.setTimeout(tick, ms));
    };
    every('backoff', BACKOFF_FLUSH_INTERVAL_MS, () => this.flushBackoffQCompleted());
    every('unschedulable', UNSCHEDULABLE_FLUSH_INTERVAL_MS, () => this.flushUnschedulablePodsLeftover());
    signal.addEventListener('abort', () => {
      for (const t of current.values()) t.cancel();
      this.closed = true;
      this.wake();
    }, { once: true });
  }

  pendingPods(): { activeQ: PodT[]; backoffQ: PodT[]; unschedulablePods: PodT[] } {
    return {
      activeQ: this.activeQ.list().map((q) => q.pod),
      backoffQ: this.backoffQ.list().map((q) => q.pod),
      unschedulablePods: [...this.unschedulable.values()].map((q) => q.pod),
    };
  }

  // ---- nominator

  addNominatedPod(pod: PodT, nodeName: string): void {
    this.nominated.set(podKey(pod), { pod, nodeName });
  }

  deleteNominatedPodIfExists(pod: PodT): void {
    this.nominated.delete(podKey(pod));
  }

  hasNominatedPods(): boolean {
    return this.nominated.size > 0;
  }

  nominatedPodsForNode(nodeName: string): PodT[] {
    // Asked for every node of every cycle; nominations are rare.
    if (this.nominated.size === 0) return NO_PODS;
    const out: PodT[] = [];
    for (const n of this.nominated.values()) if (n.nodeName === nodeName) out.push(n.pod);
    return out;
  }
}
