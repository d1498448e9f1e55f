/**
 * For tests: a tiny in-memory stand-in for the API server as the Job controller sees
 * it: pods that honour finalizers on delete, a Job whose status writes land
 * in the informer, and events. Tests move pods through phases by hand and
 * `flush()` the stored state into the (frozen) informer caches.
 */
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock, rfc3339 } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { podFromTemplate } from '../framework/pod-control.js';
import type { Pod, PodTemplateSpec } from '../framework/pods.js';
import { JobController } from './controller.js';
import type { JobPod } from './job-pod.js';
import type { JobPodControl } from './job-pod-control.js';
import { JOB_TRACKING_FINALIZER, type Job, type JobSpec } from './types.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
}

export class FakeCluster implements JobPodControl {
  readonly clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  readonly pods = new Map<string, JobPod>();
  readonly events: RecordedEvent[] = [];
  readonly statusWrites: Job[] = [];
  readonly jobInformer = new SharedInformer<Job>({ listerWatcher: idle, clock: this.clock, freeze: true });
  readonly podInformer = new SharedInformer<JobPod>({ listerWatcher: idle, clock: this.clock, freeze: true });
  readonly controller: JobController;
  job: Job | undefined;
  created: string[] = [];
  deleted: string[] = [];
  finalizersRemoved: string[] = [];
  failCreates = false;
  private seq = 0;
  private rv = 10;

  constructor(spec: JobSpec, opts: { name?: string } = {}) {
    const name = opts.name ?? 'pi';
    this.job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'ns', uid: 'job-uid', resourceVersion: '1', creationTimestamp: rfc3339(this.clock.now()) },
      spec: {
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
        template: {
          metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', 'batch.kubernetes.io/job-name': name } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
        },
        ...spec,
      },
    };
    this.controller = new JobController({
      jobInformer: this.jobInformer,
      podInformer: this.podInformer,
      podControl: this,
      updateStatus: async (job) => {
        if (job.metadata.resourceVersion !== this.job?.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'the object has been modified');
        this.job = { ...structuredClone(job), metadata: { ...job.metadata, resourceVersion: String(++this.rv) } };
        this.statusWrites.push(structuredClone(this.job));
        return structuredClone(this.job);
      },
      recorder: { event: (_obj, type, reason, message) => void this.events.push({ type, reason, message }) },
      clock: this.clock,
      logger: silentLogger,
    });
    this.flush();
  }

  /** Makes the informers see what the "server" holds now. */
  flush(): void {
    this.jobInformer.replace(this.job ? [this.job] : [], String(this.rv));
    this.podInformer.replace([...this.pods.values()], String(this.rv));
  }

  async sync(): Promise<void> {
    this.flush();
    await this.controller.sync('ns/pi');
    this.flush();
  }

  // ---- JobPodControl ----

  createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference): Promise<Pod> {
    return this.createPodWithGenerateName(namespace, template, owner, ref, '');
  }

  async createPodWithGenerateName(namespace: string, template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference, generateName: string): Promise<Pod> {
    if (this.failCreates) throw new StatusError(403, 'Forbidden', 'pods "pi-" is forbidden: exceeded quota: q');
    const pod = podFromTemplate(namespace, template, owner, ref) as JobPod;
    if (generateName) pod.metadata.generateName = generateName;
    const name = `${pod.metadata.generateName}${String(this.seq++).padStart(5, 'x')}`;
    const stored: JobPod = { ...pod, metadata: { ...pod.metadata, name, uid: `uid-${name}`, resourceVersion: String(++this.rv), creationTimestamp: rfc3339(this.clock.now()) }, status: { phase: 'Pending' } };
    this.pods.set(name, stored);
    this.created.push(name);
    return stored;
  }

  async deletePod(_ns: string, name: string): Promise<void> {
    const p = this.pods.get(name);
    if (!p) throw new StatusError(404, 'NotFound', `pods "${name}" not found`);
    this.deleted.push(name);
    if (p.metadata.finalizers?.length) this.pods.set(name, { ...p, metadata: { ...p.metadata, deletionTimestamp: rfc3339(this.clock.now()), resourceVersion: String(++this.rv) } });
    else this.pods.delete(name);
  }

  async patchPod(_ns: string, name: string, patch: unknown): Promise<void> {
    const p = this.pods.get(name);
    if (!p) throw new StatusError(404, 'NotFound', `pods "${name}" not found`);
    const meta = (patch as { metadata?: { ownerReferences?: OwnerReference[] | null } }).metadata ?? {};
    this.pods.set(name, { ...p, metadata: { ...p.metadata, ownerReferences: meta.ownerReferences ?? undefined, resourceVersion: String(++this.rv) } });
  }

  async removeTrackingFinalizer(_ns: string, name: string): Promise<void> {
    const p = this.pods.get(name);
    if (!p) return;
    this.finalizersRemoved.push(name);
    const finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    if (p.metadata.deletionTimestamp && finalizers.length === 0) {
      this.pods.delete(name);
      return;
    }
    this.pods.set(name, { ...p, metadata: { ...p.metadata, finalizers, resourceVersion: String(++this.rv) } });
  }

  // ---- driving pods ----

  /** Moves a pod to a phase the way a kubelet would report it. */
  setPhase(name: string, phase: 'Running' | 'Succeeded' | 'Failed', opts: { exitCode?: number; ready?: boolean; conditions?: { type: string; status: string }[] } = {}): void {
    const p = this.pods.get(name)!;
    const now = rfc3339(this.clock.now());
    const terminated = phase === 'Running' ? undefined : { exitCode: opts.exitCode ?? (phase === 'Succeeded' ? 0 : 1), finishedAt: now };
    this.pods.set(name, {
      ...p,
      metadata: { ...p.metadata, resourceVersion: String(++this.rv) },
      status: {
        phase,
        conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: now }, ...(opts.conditions ?? [])],
        containerStatuses: [{ name: 'main', restartCount: 0, state: terminated ? { terminated } : { running: {} } }],
      },
    });
  }

  /** What the kubelet does for a deleted pod: once no finalizer is left it is gone. */
  reapDeleted(): void {
    for (const [name, p] of this.pods) if (p.metadata.deletionTimestamp && !p.metadata.finalizers?.length) this.pods.delete(name);
  }

  activeNames(): string[] {
    return [...this.pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').map((p) => p.metadata.name!);
  }

  conditions(): string[] {
    return (this.job?.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
  }
}
