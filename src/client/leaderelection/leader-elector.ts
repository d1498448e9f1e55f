/**
 * Lease-based leader election (coordination.k8s.io/v1). A candidate acquires
 * the Lease when it is free or its holder has not renewed for
 * leaseDurationSeconds (measured on our own clock from when we last saw the
 * record change, never by trusting another host's timestamps). The leader
 * renews every retryPeriod and steps down if it cannot renew within
 * renewDeadline. On stop it releases the Lease so a successor need not wait.
 */
import { type Clock, rfc3339Micro } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** The Lease verbs the elector needs; a namespaced `ResourceClient` for leases satisfies it. */
export interface LeaseClient {
  get(name: string): Promise<Lease>;
  create(obj: Lease): Promise<Lease>;
  update(obj: Lease): Promise<Lease>;
}

export interface LeaderCallbacks {
  /** Runs while we lead; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  leases: LeaseClient;
  /** Lease name, e.g. `kube-scheduler`. */
  name: string;
  namespace: string;
  identity: string;
  clock: Clock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  callbacks: LeaderCallbacks;
  /** Give the Lease up when `run`'s signal aborts (default true). */
  releaseOnCancel?: boolean;
  onError?: (err: unknown) => void;
}

export class LeaderElector {
  private observed?: { record: string; at: number };
  private lease?: Lease;
  private leading = false;
  private lastRenew = 0;
  private reportedLeader = '';
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns, leads until leadership is lost or `signal` aborts, then returns. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    const leadership = new AbortController();
    const onAbort = () => leadership.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.leading = true;
    void Promise.resolve()
      .then(() => this.cfg.callbacks.onStartedLeading(leadership.signal))
      .catch((err) => this.cfg.onError?.(err));
    try {
      await this.renewLoop(leadership.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leadership.abort();
      this.leading = false;
      if (signal.aborted && this.cfg.releaseOnCancel !== false) await this.release();
      this.cfg.callbacks.onStoppedLeading();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      if (!(await this.sleep(this.retryPeriodMs, signal))) return false;
    }
    return false;
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    this.lastRenew = this.cfg.clock.now();
    while (!signal.aborted) {
      if (!(await this.sleep(this.retryPeriodMs, signal))) return;
      if (await this.tryAcquireOrRenew()) {
        this.lastRenew = this.cfg.clock.now();
        continue;
      }
      if (this.cfg.clock.now() - this.lastRenew >= this.renewDeadlineMs) return;
    }
  }

  /** True when we hold the Lease after this attempt; failures are expected outcomes. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.cfg.clock.now();
    const stamp = rfc3339Micro(now);
    const desired: LeaseSpec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = await this.cfg.leases.get(this.cfg.name);
    } catch (err) {
      if (!isNotFound(err)) {
        this.cfg.onError?.(err);
        return false;
      }
      try {
        this.lease = await this.cfg.leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.cfg.name, namespace: this.cfg.namespace },
          spec: desired,
        });
        this.observe(this.lease, now);
        return true;
      } catch (createErr) {
        this.cfg.onError?.(createErr);
        return false;
      }
    }
    const spec = current.spec ?? {};
    this.observe(current, now);
    const holder = spec.holderIdentity ?? '';
    const iHold = holder === this.cfg.identity;
    const duration = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && !iHold && this.observed!.at + duration > now) return false;
    const next: LeaseSpec = iHold
      ? { ...desired, acquireTime: spec.acquireTime ?? stamp, leaseTransitions: spec.leaseTransitions ?? 0 }
      : { ...desired, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    try {
      this.lease = await this.cfg.leases.update({ ...current, spec: next });
      this.observe(this.lease, now);
      return true;
    } catch (err) {
      this.cfg.onError?.(err);
      return false;
    }
  }

  private observe(lease: Lease, now: number): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.cfg.callbacks.onNewLeader?.(holder);
    }
  }

  private async release(): Promise<void> {
    const lease = this.lease;
    if (!lease || lease.spec?.holderIdentity !== this.cfg.identity) return;
    const stamp = rfc3339Micro(this.cfg.clock.now());
    try {
      await this.cfg.leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp } });
    } catch (err) {
      this.cfg.onError?.(err);
    }
  }

  private async sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.cfg.clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}
