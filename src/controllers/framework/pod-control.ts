/**
 * Side effects on pods, behind an interface so sync logic is tested with a
 * fake. The real one records upstream's events on the owner.
 */
import type { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { Pod, PodTemplateSpec } from './pods.js';

export interface EventSink {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): unknown;
}

export interface PodControl {
  /** Creates one pod from `template`, controlled by `owner`. */
  createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Promise<Pod>;
  deletePod(namespace: string, name: string, owner: KubeObject): Promise<void>;
  /** A JSON merge patch, used to adopt and release pods. */
  patchPod(namespace: string, name: string, patch: unknown): Promise<void>;
}

/** The ownerReference a controller puts on what it creates or adopts. */
export function controllerRefFor(owner: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** Upstream's getPodsPrefix: owner name plus a dash, cut so generated names stay valid. */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  // generateName adds five characters; names are limited to 63 for pods' hostname.
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

/** The pod a controller creates: template metadata and spec, our ownerReference, a generated name. */
export function podFromTemplate(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      generateName: podNamePrefix(owner.metadata.name ?? ''),
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [{ ...controllerRef }],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Creates `pod` in its namespace and records SuccessfulCreate or FailedCreate on the owner, as upstream does. */
export async function createPodRecorded(pods: ResourceClient<Pod>, recorder: EventSink, pod: Pod, owner: KubeObject): Promise<Pod> {
  try {
    const created = await pods.inNamespace(pod.metadata.namespace ?? '').create(pod);
    void recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    return created;
  } catch (err) {
    void recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
    throw err;
  }
}

export class RealPodControl implements PodControl {
  constructor(
    private readonly pods: ResourceClient<Pod>,
    private readonly recorder: EventSink,
  ) {}

  async createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Promise<Pod> {
    const pod = podFromTemplate(namespace, template, owner, controllerRef);
    if (!Object.keys(pod.metadata.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    return createPodRecorded(this.pods, this.recorder, pod, owner);
  }

  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.pods.inNamespace(namespace).delete(name);
      void this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      void this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }

  async patchPod(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.pods.inNamespace(namespace).patch(name, 'merge', patch);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
