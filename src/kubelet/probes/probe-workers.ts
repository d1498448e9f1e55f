/**
 * One worker per (pod, container, probe kind) probing every periodSeconds,
 * as kubelet's prober workers do: nothing before initialDelaySeconds, only
 * the startup probe until the container has started, a result changes only
 * after failureThreshold failures or successThreshold successes in a row,
 * and after a liveness or startup failure the worker holds until it sees a
 * new container. Results go to `onResult` when they change; every failed
 * attempt is reported as an `Unhealthy` event.
 */
import type { ContainerT, PodT, ProbeT } from '../../api/core/v1/types.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import type { Prober } from './prober.js';
import { type ExecOutput, PROBE_KIND_TITLE, type ProbeKind, type ProbeResult } from './types.js';

/** What the agent knows of a container, read by the worker before each attempt. */
export interface ContainerProbeStatus {
  /** The runtime's id of the current container instance; empty while none exists. */
  containerID: string;
  running: boolean;
  /** When the current instance started (ms since the epoch). */
  startedAt?: number;
  /** The container has passed its startup probe (or has none). */
  started: boolean;
  /** The container exited (and may be restarted by the agent). */
  terminated: boolean;
}

export interface PodProbeStatus {
  podIP: string;
  phase?: string;
  containers: Record<string, ContainerProbeStatus | undefined>;
}

export interface ProbeResultInfo {
  containerID: string;
  /** The probe's own terminationGracePeriodSeconds, for a kill after a liveness or startup failure. */
  terminationGracePeriodSeconds?: number;
}

export interface ProbeEvent {
  type: 'Warning';
  reason: 'Unhealthy' | 'ProbeWarning';
  message: string;
}

export interface ProbeWorkersOptions {
  prober: Pick<Prober, 'probe'>;
  clock: Clock;
  /** The pod's current status as the agent sees it; undefined while unknown. */
  status: (podUID: string) => PodProbeStatus | undefined;
  /** execSync in a container. */
  exec: (containerID: string, cmd: string[], timeoutMs: number) => Promise<ExecOutput>;
  onResult: (podUID: string, containerName: string, kind: ProbeKind, result: ProbeResult, info: ProbeResultInfo) => void;
  onEvent?: (pod: PodT, containerName: string, event: ProbeEvent) => void;
}

const INITIAL: Record<ProbeKind, ProbeResult> = { readiness: 'Failure', liveness: 'Success', startup: 'Unknown' };

class Worker {
  private timer?: Timer;
  private stopped = false;
  private containerID = '';
  private onHold = false;
  private lastResult: ProbeResult = 'Unknown';
  private resultRun = 0;
  result?: ProbeResult;
  inflight?: Promise<void>;

  constructor(
    private readonly owner: ProbeWorkers,
    private readonly opts: ProbeWorkersOptions,
    public pod: PodT,
    readonly container: ContainerT,
    readonly kind: ProbeKind,
    readonly spec: ProbeT,
  ) {}

  private get periodMs(): number {
    return Math.max(1, this.spec.periodSeconds ?? 10) * 1000;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** Probes now instead of at the next tick. */
  trigger(): void {
    if (this.stopped || this.inflight) return;
    this.timer?.cancel();
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    const started = this.opts.clock.now();
    this.inflight = this.doProbe()
      .catch(() => true)
      .then((keepGoing) => {
        this.inflight = undefined;
        if (!keepGoing) return this.owner.workerDone(this);
        this.schedule(Math.max(0, started + this.periodMs - this.opts.clock.now()));
      });
  }

  private set(result: ProbeResult): void {
    if (this.result === result) return;
    this.result = result;
    this.opts.onResult(this.pod.metadata?.uid ?? '', this.container.name, this.kind, result, {
      containerID: this.containerID,
      terminationGracePeriodSeconds: this.spec.terminationGracePeriodSeconds,
    });
  }

  private async doProbe(): Promise<boolean> {
    const uid = this.pod.metadata?.uid ?? '';
    const status = this.opts.status(uid);
    if (!status) return true;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;
    const c = status.containers[this.container.name];
    if (!c || !c.containerID) return true;

    if (c.containerID !== this.containerID) {
      this.containerID = c.containerID;
      this.result = undefined;
      this.set(INITIAL[this.kind]);
      this.onHold = false;
      this.lastResult = 'Unknown';
      this.resultRun = 0;
    }
    if (this.onHold) return true;

    if (!c.running) {
      this.set('Failure');
      return !c.terminated || this.pod.spec?.restartPolicy !== 'Never';
    }
    if (this.pod.metadata?.deletionTimestamp && (this.kind === 'liveness' || this.kind === 'startup')) {
      this.set('Success');
      return false;
    }
    const now = this.opts.clock.now();
    if (Math.floor((now - (c.startedAt ?? now)) / 1000) < (this.spec.initialDelaySeconds ?? 0)) return true;
    if (c.started) {
      if (this.kind === 'startup') return true;
    } else if (this.kind !== 'startup') {
      return true;
    }

    const containerID = this.containerID;
    const outcome = await this.opts.prober.probe(this.pod, this.container, this.spec, {
      podIP: status.podIP,
      exec: (cmd, timeoutMs) => this.opts.exec(containerID, cmd, timeoutMs),
    });
    // The container may have been replaced while the probe ran: that answer is about the old one.
    if (this.stopped || containerID !== this.containerID) return !this.stopped;
    const title = PROBE_KIND_TITLE[this.kind];
    if (outcome.result === 'Unknown') {
      this.opts.onEvent?.(this.pod, this.container.name, { type: 'Warning', reason: 'Unhealthy', message: `${title} probe errored: ${outcome.message}` });
      return true;
    }
    if (outcome.result === 'Failure') {
      this.opts.onEvent?.(this.pod, this.container.name, { type: 'Warning', reason: 'Unhealthy', message: `${title} probe failed: ${outcome.message}` });
    } else if (outcome.warning) {
      this.opts.onEvent?.(this.pod, this.container.name, { type: 'Warning', reason: 'ProbeWarning', message: `${title} probe warning: ${outcome.message}` });
    }

    if (this.lastResult === outcome.result) {
      this.resultRun++;
    } else {
      this.lastResult = outcome.result;
      this.resultRun = 1;
    }
    const failureThreshold = this.spec.failureThreshold ?? 3;
    const successThreshold = this.spec.successThreshold ?? 1;
    if ((outcome.result === 'Failure' && this.resultRun < failureThreshold) || (outcome.result === 'Success' && this.resultRun < successThreshold)) return true;

    this.set(outcome.result);
    if ((this.kind === 'liveness' || this.kind === 'startup') && outcome.result === 'Failure') {
      // The agent restarts the container; probing the dying one would only add noise.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

export class ProbeWorkers {
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly opts: ProbeWorkersOptions) {}

  private static key(uid: string, container: string, kind: ProbeKind): string {
    return `${uid}/${container}/${kind}`;
  }

  /** Starts workers for every probe of the pod's containers (and restartable init containers); idempotent. */
  addPod(pod: PodT): void {
    const uid = pod.metadata?.uid ?? '';
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
      const probes: [ProbeKind, ProbeT | undefined][] = [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]];
      for (const [kind, spec] of probes) {
        if (!spec) continue;
        const key = ProbeWorkers.key(uid, c.name, kind);
        const existing = this.workers.get(key);
        if (existing) {
          existing.pod = pod;
          continue;
        }
        const w = new Worker(this, this.opts, pod, c, kind, spec);
        this.workers.set(key, w);
        w.start();
      }
    }
  }

  /** A newer pod object (e.g. with a deletionTimestamp) for the workers of that pod. */
  updatePod(pod: PodT): void {
    for (const w of this.workers.values()) if (w.pod.metadata?.uid === pod.metadata?.uid) w.pod = pod;
  }

  removePod(podUID: string): void {
    for (const [key, w] of this.workers) {
      if (w.pod.metadata?.uid !== podUID) continue;
      w.stop();
      this.workers.delete(key);
    }
  }

  /** Probes a container now, e.g. readiness right after it started. */
  trigger(podUID: string, containerName: string, kind?: ProbeKind): void {
    for (const k of kind ? [kind] : (['startup', 'liveness', 'readiness'] as const)) this.workers.get(ProbeWorkers.key(podUID, containerName, k))?.trigger();
  }

  /** The current result of a probe, or undefined when there is no such worker or no container yet. */
  result(podUID: string, containerName: string, kind: ProbeKind): ProbeResult | undefined {
    return this.workers.get(ProbeWorkers.key(podUID, containerName, kind))?.result;
  }

  /** Settles once no probe attempt is in flight (tests step a fake clock, then await this). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.workers.values()].map((w) => w.inflight).filter((p): p is Promise<void> => !!p);
      if (!pending.length) return;
      await Promise.all(pending);
    }
  }

  dispose(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  /** @internal A worker that decided to stop (pod finished, or deleted for liveness/startup). */
  workerDone(w: Worker): void {
    w.stop();
    for (const [key, x] of this.workers) if (x === w) this.workers.delete(key);
  }
}
