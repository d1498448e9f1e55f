/**
 * One worker per pod, level-triggered: every sync reads the pod from the
 * informer cache and its containers from the runtime, decides what to do
 * (plan.ts), does it, and reports the status. Nothing the worker remembers
 * is needed for correctness except back-off and probe results, so a
 * restarted agent adopts running containers by their labels.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import type { EventRecorder, EventType } from '../../client/events/event-recorder.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import type { Clock, Timer } from '../../machinery/clock.js';
import { isConflict, isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import {
  type ContainerRuntime, type ContainerStatus, LABEL_CONTAINER_NAME, LABEL_POD_UID, type PodSandboxStatus,
} from '../runtime/interface.js';
import { Backoff, formatDuration, formatGoDuration } from './backoff.js';
import { type DNSSettings, podDNSConfig } from './dns.js';
import { expandCommandAndArgs } from '../env/index.js';
import { runHook } from './hooks.js';
import type { EnvResolver, MountsFor, ProbeKind, ProbeOutcome, ProberFactory, VolumeHost } from './interfaces.js';
import { computePodActions, type ContainerKind, type ContainerRecord, initDone, isSidecar, type PlanInput, type RestartPolicy } from './plan.js';
import { generatePodStatus, isTerminal, type WaitingReason } from './pod-status.js';
import {
  ANNOTATION_CONTAINER_HASH, ANNOTATION_TERMINATION_GRACE, ANNOTATION_TERMINATION_MESSAGE_HOST_PATH, ANNOTATION_TERMINATION_MESSAGE_POLICY, containerConfig,
  containerHash, formatPod, podLogDirectory, sandboxConfig, securityContext,
} from './runtime-config.js';

export const FIELD_MANAGER = 'kubelet';
const MAX_TERMINATION_MESSAGE = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;
/** Upstream's floor for a grace period once a preStop hook used it up. */
const MIN_GRACE_SECONDS = 2;

export type Pod = PodT & KubeObject;

/** What every worker shares: the agent's clients, runtime and settings. */
export interface WorkerContext {
  runtime: ContainerRuntime;
  clock: Clock;
  logger: Logger;
  rootDir: string;
  pods: ResourceClient<Pod>;
  recorder: EventRecorder;
  volumes: VolumeHost;
  prober: ProberFactory;
  env: EnvResolver;
  dns: () => DNSSettings;
  hostIP: () => string;
  runtimeScheme: () => string;
  crashBackoff: Backoff;
  pullBackoff: Backoff;
  resyncPeriodMs: number;
  /** How often a running pod's config map, secret, downward API and projected volumes are refreshed. */
  volumeResyncPeriodMs: number;
  /** The pod with this uid from the informer cache, if it is still bound here. */
  getPod(namespace: string, name: string, uid: string): Pod | undefined;
  /** The worker has torn everything down and can be forgotten. */
  finished(uid: string): void;
}

interface ProbeState {
  started?: ProbeOutcome;
  ready?: ProbeOutcome;
  live?: ProbeOutcome;
  handle: Disposable;
}

type StepResult = { ok: true } | { ok: false; reason: string; message: string };

const byNewest = (a: ContainerStatus, b: ContainerStatus) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt;

export class PodWorker {
  private syncing?: Promise<void>;
  private dirty = false;
  private done = false;
  private timer?: Timer;
  private timerAt = Infinity;
  private lastPod?: Pod;
  private readonly waiting = new Map<string, WaitingReason>();
  private readonly probes = new Map<string, ProbeState>();
  private terminal?: { phase: 'Failed'; reason: string; message: string };
  private volumesSyncedAt = -Infinity;
  private readonly log: Logger;

  constructor(
    private readonly ctx: WorkerContext,
    readonly uid: string,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.log = ctx.logger.with({ pod: `${namespace}/${name}`, podUID: uid });
  }

  /** Asks for a sync; syncs never overlap, a trigger during one runs another after it. */
  trigger(): void {
    if (this.done) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = this.loop().finally(() => (this.syncing = undefined));
  }

  waitingReason(container: string): string | undefined {
    return this.waiting.get(container)?.reason;
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  stop(): void {
    this.done = true;
    this.timer?.cancel();
    for (const p of this.probes.values()) void p.handle.dispose();
    this.probes.clear();
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      try {
        await this.sync();
      } catch (err) {
        this.log.warn('pod sync failed', { err });
        this.resyncIn(1000);
      }
    } while (this.dirty && !this.done);
  }

  private resyncIn(ms: number): void {
    const at = this.ctx.clock.now() + Math.max(0, ms);
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.trigger();
    }, Math.max(0, ms));
  }

  private event(pod: Pod, type: EventType, reason: string, message: string): void {
    void this.ctx.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata } as KubeObject, type, reason, message);
  }

  // ---- runtime state ---------------------------------------------------------

  private async observe(): Promise<{ sandboxes: PodSandboxStatus[]; containers: ContainerStatus[] }> {
    const rt = this.ctx.runtime.runtime;
    const [sandboxes, containers] = await Promise.all([rt.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: this.uid } }), rt.listContainers({ labelSelector: { [LABEL_POD_UID]: this.uid } })]);
    sandboxes.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
    containers.sort(byNewest);
    return { sandboxes, containers };
  }

  private records(containers: ContainerStatus[]): Map<string, ContainerRecord[]> {
    const out = new Map<string, ContainerRecord[]>();
    for (const c of containers) {
      const name = c.labels[LABEL_CONTAINER_NAME] ?? c.metadata.name;
      const r: ContainerRecord = { id: c.id, name, attempt: c.metadata.attempt, state: c.state, createdAt: c.createdAt };
      if (c.exitCode !== undefined) r.exitCode = c.exitCode;
      if (c.startedAt !== undefined) r.startedAt = c.startedAt;
      if (c.finishedAt !== undefined) r.finishedAt = c.finishedAt;
      if (c.reason) r.reason = c.reason;
      // The status a list returns names the image already: no status call per container to report it.
      if (c.imageRef && !this.imageIDs.has(c.id)) this.imageIDs.set(c.id, c.imageRef);
      const hash = c.annotations[ANNOTATION_CONTAINER_HASH];
      if (hash) r.hash = hash;
      if (c.state === 'CONTAINER_EXITED') {
        const msg = this.terminationMessage(c);
        if (msg) r.message = msg;
      }
      const list = out.get(name) ?? [];
      list.push(r);
      out.set(name, list);
    }
    return out;
  }

  /** The file the container wrote, else the runtime's message, else (FallbackToLogsOnError, on failure) the log's tail. */
  private terminationMessage(c: ContainerStatus): string | undefined {
    const file = c.annotations[ANNOTATION_TERMINATION_MESSAGE_HOST_PATH];
    let msg = '';
    if (file) {
      try {
        msg = readFileSync(file).subarray(0, MAX_TERMINATION_MESSAGE).toString('utf8');
      } catch {}
    }
    if (!msg && c.message) msg = c.message;
    if (!msg && c.exitCode !== 0 && c.annotations[ANNOTATION_TERMINATION_MESSAGE_POLICY] === 'FallbackToLogsOnError') msg = tailLog(c.logPath);
    return msg || undefined;
  }

  private planInput(pod: Pod, records: Map<string, ContainerRecord[]>, sandboxReady: boolean): PlanInput {
    const specs = new Map(allContainers(pod).map((c) => [c.name, c]));
    return {
      initContainers: pod.spec?.initContainers ?? [],
      containers: pod.spec?.containers ?? [],
      ephemeralContainers: ephemeralContainers(pod),
      restartPolicy: (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy,
      sandboxReady,
      records,
      started: (r) => this.started(specs.get(r.name), r),
      unhealthy: (r) => {
        const p = this.probes.get(r.id);
        if (p?.live === 'Failure') return `Container ${r.name} failed liveness probe, will be restarted`;
        if (p?.started === 'Failure') return `Container ${r.name} failed startup probe, will be restarted`;
        return undefined;
      },
      hashOf: containerHash,
    };
  }

  private started(spec: ContainerT | undefined, r: ContainerRecord): boolean {
    if (r.state !== 'CONTAINER_RUNNING') return false;
    return !spec?.startupProbe || this.probes.get(r.id)?.started === 'Success';
  }

  private ready(spec: ContainerT | undefined, r: ContainerRecord): boolean {
    return !spec?.readinessProbe || this.probes.get(r.id)?.ready === 'Success';
  }

  // ---- the sync --------------------------------------------------------------

  private async sync(): Promise<void> {
    if (this.done) return;
    const pod = this.ctx.getPod(this.namespace, this.name, this.uid);
    if (pod) this.lastPod = pod;
    if (!pod || pod.metadata.deletionTimestamp) {
      await this.terminate(pod);
      return;
    }
    await this.syncPod(pod);
  }

  private async syncPod(pod: Pod): Promise<void> {
    const now = this.ctx.clock.now();
    const rt = this.ctx.runtime.runtime;
    let { sandboxes, containers } = await this.observe();
    let sandbox = sandboxes.find((s) => s.state === 'SANDBOX_READY');
    let records = this.records(containers);

    const deadline = pod.spec?.activeDeadlineSeconds;
    const startTime = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
    if (!this.terminal && !isTerminal(pod.status?.phase) && deadline !== undefined && startTime !== undefined) {
      const left = startTime + deadline * 1000 - now;
      if (left <= 0) {
        this.terminal = { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
        this.event(pod, 'Normal', 'DeadlineExceeded', this.terminal.message);
      } else this.resyncIn(left);
    }

    if (this.terminal || isTerminal(pod.status?.phase)) {
      await this.killAll(pod, records, { gracePeriodSeconds: this.gracePeriod(pod) });
      for (const s of sandboxes) if (s.state === 'SANDBOX_READY') await rt.stopPodSandbox(s.id);
      ({ sandboxes, containers } = await this.observe());
      await this.report(pod, sandboxes[0], this.records(containers));
      return;
    }

    const plan = computePodActions(this.planInput(pod, records, !!sandbox));
    for (const k of plan.kill) {
      const r = [...records.values()].flat().find((x) => x.id === k.id);
      const spec = this.specOf(pod, k.name);
      if (r && spec) await this.killContainer(pod, spec, r, k.message, this.gracePeriod(pod));
    }
    if (plan.killAll) await this.killAll(pod, records, { gracePeriodSeconds: this.gracePeriod(pod) });
    if (plan.initFailed) this.terminal = undefined;

    let mounts: MountsFor | undefined;
    if (plan.createSandbox || plan.start.length) {
      const vols = await this.ctx.volumes.setUp(pod);
      if (!vols.ok) {
        for (const f of vols.failures?.length ? vols.failures : [vols]) this.event(pod, 'Warning', vols.reason, f.message);
        this.resyncIn(2000);
      } else {
        mounts = vols.mounts;
        this.volumesSyncedAt = now;
      }
    } else if (sandbox) {
      await this.resyncVolumes(pod, now);
    }

    if (plan.createSandbox && mounts) {
      if (sandboxes.length) this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      // Every earlier sandbox, a dead one too: what it still holds (addresses, mounts) is released.
      for (const s of sandboxes) await rt.stopPodSandbox(s.id);
      const created = await this.createSandbox(pod, sandboxes[0] ? sandboxes[0].metadata.attempt + 1 : 0);
      if (created) {
        ({ sandboxes, containers } = await this.observe());
        sandbox = sandboxes.find((s) => s.state === 'SANDBOX_READY');
        records = this.records(containers);
      }
    }

    if (sandbox && mounts) {
      for (const s of plan.start) {
        const spec = this.specOf(pod, s.name);
        if (!spec) continue;
        const prev = s.previous;
        if (prev?.state === 'CONTAINER_EXITED' && prev.finishedAt !== undefined) {
          const key = `${this.uid}/${s.name}/${containerHash(spec)}`;
          if (this.ctx.crashBackoff.isInBackOffSince(key, prev.finishedAt, now)) {
            const delay = this.ctx.crashBackoff.get(key);
            this.waiting.set(s.name, { reason: 'CrashLoopBackOff', message: `back-off ${formatDuration(delay)} restarting failed container=${s.name} pod=${formatPod(pod)}` });
            this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${s.name} in pod ${formatPod(pod)}`);
            this.resyncIn(prev.finishedAt + delay - now);
            if (s.kind === 'init') break;
            continue;
          }
          this.ctx.crashBackoff.next(key, prev.finishedAt);
        }
        const res = await this.startContainer(pod, spec, s.kind, s.attempt, sandbox, mounts, records);
        if (!res.ok) {
          this.waiting.set(s.name, { reason: res.reason, message: res.message });
          if (s.kind === 'init') break;
          continue;
        }
        this.waiting.delete(s.name);
        // Regular init containers run one at a time; a sidecar must start before the next one.
        if (s.kind === 'init') break;
      }
    }

    ({ sandboxes, containers } = await this.observe());
    records = this.records(containers);
    sandbox = sandboxes.find((s) => s.state === 'SANDBOX_READY');
    this.syncProbers(pod, records, sandbox);
    await this.collectDead(records);

    const finalPlan = computePodActions(this.planInput(pod, records, !!sandbox));
    if (finalPlan.podDone && sandbox && ![...records.values()].some((rs) => rs[0]?.state === 'CONTAINER_RUNNING')) {
      // Completed pods keep their containers (for logs) but not their network.
      await rt.stopPodSandbox(sandbox.id);
      sandbox = undefined;
    }
    await this.report(pod, sandbox ?? sandboxes[0], records);
    this.resyncIn(this.ctx.resyncPeriodMs);
  }

  /** Refreshes the files of a running pod's API-backed volumes once per volumeResyncPeriodMs. */
  private async resyncVolumes(pod: Pod, now: number): Promise<void> {
    const resync = this.ctx.volumes.resync?.bind(this.ctx.volumes);
    if (!resync || !(pod.spec?.volumes ?? []).some((v) => v.configMap || v.secret || v.downwardAPI || v.projected)) return;
    const period = this.ctx.volumeResyncPeriodMs;
    if (now - this.volumesSyncedAt >= period) {
      this.volumesSyncedAt = now;
      const r = await resync(pod);
      if (!r.ok) for (const f of r.failures?.length ? r.failures : [r]) this.event(pod, 'Warning', r.reason, f.message);
    }
    this.resyncIn(this.volumesSyncedAt + period - now);
  }

  private specOf(pod: Pod, name: string): ContainerT | undefined {
    return allContainers(pod).find((c) => c.name === name);
  }

  private gracePeriod(pod: Pod | undefined): number {
    return pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30;
  }

  private async createSandbox(pod: Pod, attempt: number): Promise<boolean> {
    const dns = podDNSConfig(pod, this.ctx.dns());
    if (dns.warning) this.event(pod, 'Warning', 'MissingClusterDNS', `pod: "${formatPod(pod)}". ${dns.warning}`);
    const cfg = sandboxConfig(pod, { rootDir: this.ctx.rootDir, attempt, dns: dns.config });
    try {
      await this.ctx.runtime.runtime.runPodSandbox(cfg);
      return true;
    } catch (err) {
      const message = `Failed to create pod sandbox: ${(err as Error).message}`;
      this.event(pod, 'Warning', 'FailedCreatePodSandBox', message);
      this.resyncIn(this.ctx.crashBackoff.initialMs);
      return false;
    }
  }

  // ---- images ----------------------------------------------------------------

  private async ensureImage(pod: Pod, c: ContainerT): Promise<{ ok: true; ref: string; user?: string } | { ok: false; reason: string; message: string }> {
    const image = c.image ?? '';
    const images = this.ctx.runtime.images;
    const lastPart = image.split('@')[0]!.split('/').pop() ?? '';
    const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
    const policy = c.imagePullPolicy ?? (image.includes('@') ? 'IfNotPresent' : !tag || tag === 'latest' ? 'Always' : 'IfNotPresent');
    const present = await images.imageStatus({ image });
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return { ok: true, ref: present.id, user: present.config?.user };
      }
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.event(pod, 'Warning', 'ErrImageNeverPull', message);
      return { ok: false, reason: 'ErrImageNeverPull', message };
    }
    const key = `${this.uid}/${image}`;
    const now = this.ctx.clock.now();
    if (this.ctx.pullBackoff.isInBackOffSinceUpdate(key, now)) {
      this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      const at = this.ctx.pullBackoff.retryAtSinceUpdate(key);
      if (at !== undefined) this.resyncIn(at - now);
      const last = this.waiting.get(c.name);
      const detail = last?.reason === 'ErrImagePull' || last?.reason === 'ImagePullBackOff' ? last.message.replace(/^Back-off pulling image "[^"]*": ErrImagePull: /, '') : '';
      return { ok: false, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${detail}` };
    }
    this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = this.ctx.clock.now();
    try {
      const ref = await images.pullImage({ image });
      const took = formatGoDuration(this.ctx.clock.now() - started);
      const img = await images.imageStatus({ image });
      this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${img?.size ?? 0} bytes.`);
      this.ctx.pullBackoff.reset(key);
      return { ok: true, ref, user: img?.config?.user };
    } catch (err) {
      const msg = (err as Error).message;
      this.ctx.pullBackoff.next(key, this.ctx.clock.now());
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      // The next sync (about a relist period later, as kubelet's) reports the back-off until it ends.
      this.resyncIn(Math.min(1000, this.ctx.pullBackoff.get(key)));
      return { ok: false, reason: 'ErrImagePull', message: msg };
    }
  }

  // ---- containers --------------------------------------------------------------

  private async startContainer(pod: Pod, c: ContainerT, kind: ContainerKind, attempt: number, sandbox: PodSandboxStatus, mountsFor: MountsFor, records: Map<string, ContainerRecord[]>): Promise<StepResult> {
    const rt = this.ctx.runtime.runtime;
    // An ephemeral container aimed at another shares its process namespace, so that one must be running.
    const targetName = kind === 'ephemeral' ? (c as ContainerT & { targetContainerName?: string }).targetContainerName : undefined;
    const target = targetName ? records.get(targetName)?.[0] : undefined;
    if (targetName && target?.state !== 'CONTAINER_RUNNING') {
      const message = `unable to find target container ${targetName}`;
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return { ok: false, reason: 'CreateContainerConfigError', message };
    }
    const img = await this.ensureImage(pod, c);
    if (!img.ok) return img;
    const podIP = pod.spec?.hostNetwork ? this.ctx.hostIP() : sandbox.ip;
    const env = await this.ctx.env.resolve(pod, c, { podIP, podIPs: podIP ? [podIP] : [], hostIP: this.ctx.hostIP() });
    if (env.ok) for (const e of env.events ?? []) this.event(pod, e.type, e.reason, e.message);
    const sec = securityContext(pod, c, img.user);
    if (sec.ok && target) sec.security.pidTargetId = target.id;
    const mounts = env.ok && sec.ok ? await mountsFor(c.name, { envs: env.envs }) : undefined;
    const configError = !env.ok ? env.message : !sec.ok ? sec.message : mounts && !mounts.ok ? mounts.message : undefined;
    if (configError !== undefined || !mounts?.ok) {
      this.event(pod, 'Warning', 'Failed', `Error: ${configError}`);
      return { ok: false, reason: 'CreateContainerConfigError', message: configError ?? '' };
    }
    const termDir = path.join(this.ctx.rootDir, 'pods', this.uid, 'containers', c.name);
    const termFile = path.join(termDir, randomBytes(4).toString('hex'));
    mkdirSync(termDir, { recursive: true });
    writeFileSync(termFile, '');
    const cfg = containerConfig(pod, c, {
      kind, attempt, image: img.ref, envs: env.ok ? env.envs : [], mounts: mounts.mounts, security: sec.ok ? sec.security : {}, terminationMessageHostPath: termFile,
    });
    const argv = expandCommandAndArgs(c, env.ok ? env.envs : []);
    if (cfg.command) cfg.command = argv.command;
    if (cfg.args) cfg.args = argv.args;
    const sandboxCfg = sandboxConfig(pod, { rootDir: this.ctx.rootDir, attempt: sandbox.metadata.attempt, dns: podDNSConfig(pod, this.ctx.dns()).config });
    let id: string;
    try {
      id = await rt.createContainer(sandbox.id, cfg, sandboxCfg);
    } catch (err) {
      const message = (err as Error).message;
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return { ok: false, reason: 'CreateContainerError', message };
    }
    this.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await rt.startContainer(id);
    } catch (err) {
      const message = `failed to start container "${id}": ${(err as Error).message}`;
      this.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return { ok: false, reason: 'RunContainerError', message };
    }
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const failure = await runHook(postStart, pod, c, id, { runtime: rt, clock: this.ctx.clock, podIP, timeoutMs: this.gracePeriod(pod) * 1000 });
      if (failure) {
        this.event(pod, 'Warning', 'FailedPostStartHook', failure);
        this.event(pod, 'Normal', 'Killing', `FailedPostStartHook`);
        await rt.stopContainer(id, this.gracePeriod(pod));
        return { ok: false, reason: 'PostStartHookError', message: failure };
      }
    }
    return { ok: true };
  }

  /** preStop within the grace period, then the runtime's SIGTERM → SIGKILL. */
  private async killContainer(pod: Pod | undefined, spec: ContainerT | undefined, r: ContainerRecord, message: string, gracePeriodSeconds: number): Promise<void> {
    const rt = this.ctx.runtime.runtime;
    if (r.state !== 'CONTAINER_RUNNING' && r.state !== 'CONTAINER_CREATED') return;
    if (pod) this.event(pod, 'Normal', 'Killing', message);
    let grace = gracePeriodSeconds;
    const preStop = spec?.lifecycle?.preStop;
    if (pod && preStop && r.state === 'CONTAINER_RUNNING' && grace > 0) {
      const started = this.ctx.clock.now();
      const failure = await runHook(preStop, pod, spec!, r.id, { runtime: rt, clock: this.ctx.clock, podIP: pod.status?.podIP, timeoutMs: grace * 1000 });
      if (failure) this.event(pod, 'Warning', 'FailedPreStopHook', failure);
      grace = Math.max(MIN_GRACE_SECONDS, grace - Math.floor((this.ctx.clock.now() - started) / 1000));
    }
    await rt.stopContainer(r.id, grace);
    const p = this.probes.get(r.id);
    if (p) {
      void p.handle.dispose();
      this.probes.delete(r.id);
    }
  }

  /** App containers together, then sidecars in reverse order, as upstream terminates pods. */
  private async killAll(pod: Pod | undefined, records: Map<string, ContainerRecord[]>, opts: { gracePeriodSeconds: number }): Promise<void> {
    const init = new Map((pod?.spec?.initContainers ?? []).map((c) => [c.name, c]));
    const app = new Map((pod?.spec?.containers ?? []).map((c) => [c.name, c]));
    const live = [...records.values()].flat().filter((r) => r.state === 'CONTAINER_RUNNING' || r.state === 'CONTAINER_CREATED');
    const sidecarOrder = [...init.values()].filter(isSidecar).map((c) => c.name).reverse();
    const first = live.filter((r) => !sidecarOrder.includes(r.name));
    const deadline = this.ctx.clock.now() + opts.gracePeriodSeconds * 1000;
    const remaining = () => Math.max(0, Math.ceil((deadline - this.ctx.clock.now()) / 1000));
    await Promise.all(first.map((r) => this.killContainer(pod, app.get(r.name) ?? init.get(r.name), r, `Stopping container ${r.name}`, opts.gracePeriodSeconds)));
    for (const name of sidecarOrder) {
      for (const r of live.filter((x) => x.name === name)) await this.killContainer(pod, init.get(name), r, `Stopping container ${name}`, remaining());
    }
  }

  /** Exited runs beyond the newest two of each container (the current and the previous one) are removed. */
  private async collectDead(records: Map<string, ContainerRecord[]>): Promise<void> {
    for (const rs of records.values()) {
      for (const r of rs.slice(2)) if (r.state === 'CONTAINER_EXITED') await this.ctx.runtime.runtime.removeContainer(r.id);
    }
  }

  // ---- probes ----------------------------------------------------------------

  private syncProbers(pod: Pod, records: Map<string, ContainerRecord[]>, sandbox: PodSandboxStatus | undefined): void {
    const live = new Set<string>();
    for (const rs of records.values()) {
      const r = rs[0];
      if (!r || r.state !== 'CONTAINER_RUNNING') continue;
      live.add(r.id);
      if (this.probes.has(r.id)) continue;
      const spec = this.specOf(pod, r.name);
      if (!spec || (!spec.startupProbe && !spec.readinessProbe && !spec.livenessProbe)) continue;
      const state: ProbeState = { handle: { dispose() {} } };
      this.probes.set(r.id, state);
      const podIP = pod.spec?.hostNetwork ? this.ctx.hostIP() : sandbox?.ip;
      state.handle = this.ctx.prober.start({ pod, container: spec, containerId: r.id, podIP, startedAt: r.startedAt }, {
        result: (kind: ProbeKind, outcome: ProbeOutcome) => {
          const field = kind === 'startup' ? 'started' : kind === 'readiness' ? 'ready' : 'live';
          if (state[field] === outcome || this.probes.get(r.id) !== state) return;
          state[field] = outcome;
          this.trigger();
        },
        unhealthy: (message: string) => {
          const latestPod = this.ctx.getPod(this.namespace, this.name, this.uid);
          if (latestPod) this.event(latestPod, 'Warning', 'Unhealthy', message);
        },
        warning: (message: string) => {
          const latestPod = this.ctx.getPod(this.namespace, this.name, this.uid);
          if (latestPod) this.event(latestPod, 'Warning', 'ProbeWarning', message);
        },
      });
    }
    for (const [id, p] of this.probes) {
      if (live.has(id)) continue;
      void p.handle.dispose();
      this.probes.delete(id);
    }
  }

  // ---- status ----------------------------------------------------------------

  private async report(pod: Pod, sandbox: PodSandboxStatus | undefined, records: Map<string, ContainerRecord[]>): Promise<void> {
    const specs = new Map(allContainers(pod).map((c) => [c.name, c]));
    await this.fillImageIDs(records);
    const status = generatePodStatus({
      pod,
      now: this.ctx.clock.nowRFC3339(),
      hostIP: this.ctx.hostIP(),
      sandbox: sandbox && { ready: sandbox.state === 'SANDBOX_READY', ip: sandbox.ip },
      records,
      waiting: this.waiting,
      ready: (r) => this.ready(specs.get(r.name), r),
      started: (r) => this.started(specs.get(r.name), r),
      initialized: initDone(this.planInput(pod, records, !!sandbox)),
      runtimeScheme: this.ctx.runtimeScheme(),
      imageID: (r) => this.imageIDs.get(r.id) ?? '',
      terminal: this.terminal,
    });
    const current = (pod.status ?? {}) as Record<string, unknown>;
    const changed = Object.entries(status).some(([k, v]) => stable(v) !== stable(current[k]));
    if (!changed) return;
    try {
      await this.ctx.pods.inNamespace(this.namespace).patch(this.name, 'merge', { metadata: { uid: this.uid }, status }, { subresource: 'status', fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  private readonly imageIDs = new Map<string, string>();

  private async fillImageIDs(records: Map<string, ContainerRecord[]>): Promise<void> {
    for (const rs of records.values()) {
      for (const r of rs.slice(0, 2)) {
        if (this.imageIDs.has(r.id)) continue;
        const s = await this.ctx.runtime.runtime.containerStatus(r.id);
        if (s) this.imageIDs.set(r.id, s.imageRef);
      }
    }
  }

  // ---- termination -----------------------------------------------------------

  /** Stops and removes everything of the pod; a deleted pod object is then removed from the API. */
  private async terminate(pod: Pod | undefined): Promise<void> {
    const rt = this.ctx.runtime.runtime;
    const known = pod ?? this.lastPod;
    let { sandboxes, containers } = await this.observe();
    const records = this.records(containers);
    const annotated = Number(containers[0]?.annotations[ANNOTATION_TERMINATION_GRACE]);
    const grace = known ? this.gracePeriod(known) : Number.isFinite(annotated) ? annotated : 0;
    await this.killAll(pod, records, { gracePeriodSeconds: grace });
    for (const s of sandboxes) await rt.stopPodSandbox(s.id);
    if (pod) {
      ({ sandboxes, containers } = await this.observe());
      await this.report(pod, sandboxes[0], this.records(containers));
    }
    for (const c of containers) await rt.removeContainer(c.id);
    for (const s of sandboxes) await rt.removePodSandbox(s.id);
    const td = await this.ctx.volumes.tearDown(this.uid);
    if (td && !td.ok) {
      // Removing the pod's directory now could reach through a mount that is still there.
      this.log.warn('tearing down pod volumes failed; retrying', { message: td.message });
      this.resyncIn(2000);
      return;
    }
    rmSync(path.join(this.ctx.rootDir, 'pods', this.uid), { recursive: true, force: true });
    if (known) rmSync(podLogDirectory(this.ctx.rootDir, known), { recursive: true, force: true });
    this.ctx.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.ctx.pullBackoff.forgetPrefix(`${this.uid}/`);
    if (pod) {
      try {
        await this.ctx.pods.inNamespace(this.namespace).delete(this.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    this.stop();
    this.ctx.finished(this.uid);
  }
}

/** A pod's ephemeral containers as containers: the fields they may set are a container's. */
function ephemeralContainers(pod: Pod): ContainerT[] {
  return (pod.spec?.ephemeralContainers ?? []) as ContainerT[];
}

function allContainers(pod: Pod): ContainerT[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...ephemeralContainers(pod)];
}

/** JSON with sorted keys, to compare statuses regardless of key order. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'undefined';
}

/** The last lines of a CRI-format log, as FallbackToLogsOnError reports them. */
function tailLog(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-FALLBACK_LOG_LINES);
    const text = lines.map((l) => l.split(' ').slice(3).join(' ')).join('\n');
    return text.length > FALLBACK_LOG_BYTES ? text.slice(-FALLBACK_LOG_BYTES) : text;
  } catch {
    return '';
  }
}
