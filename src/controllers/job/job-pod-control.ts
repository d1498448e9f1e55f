/**
 * The Job controller's side effects on pods: creating them with a chosen
 * generateName (Indexed Jobs name pods `<job>-<index>-`), deleting them, and
 * taking the tracking finalizer off once the Job has counted them. Behind an
 * interface so the sync logic is tested with a fake.
 */
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import { type EventSink, type PodControl, createPodRecorded, errorMessage, podFromTemplate } from '../framework/pod-control.js';
import type { Pod, PodTemplateSpec } from '../framework/pods.js';
import { JOB_TRACKING_FINALIZER } from './types.js';

export interface JobPodControl extends PodControl {
  createPodWithGenerateName(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference, generateName: string): Promise<Pod>;
  /** Removes the tracking finalizer; a pod already gone counts as done. */
  removeTrackingFinalizer(namespace: string, name: string): Promise<void>;
}


/** The strategic-merge patch that drops only our finalizer, leaving anyone else's. */
export function trackingFinalizerPatch(): unknown {
  return { metadata: { ['$deleteFromPrimitiveList/finalizers']: [JOB_TRACKING_FINALIZER] } };
}

export class RealJobPodControl implements JobPodControl {
  constructor(
    private readonly pods: ResourceClient<Pod>,
    private readonly recorder: EventSink,
  ) {}

  createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference): Promise<Pod> {
    return this.createPodWithGenerateName(namespace, template, owner, controllerRef, '');
  }

  async createPodWithGenerateName(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference, generateName: string): Promise<Pod> {
    const pod = podFromTemplate(namespace, template, owner, controllerRef);
    if (generateName) pod.metadata.generateName = generateName;
    return createPodRecorded(this.pods, this.recorder, pod, owner);
  }

  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.pods.inNamespace(namespace).delete(name);
      void this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (!isNotFound(err)) void this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }

  async patchPod(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.pods.inNamespace(namespace).patch(name, 'merge', patch);
  }

  async removeTrackingFinalizer(namespace: string, name: string): Promise<void> {
    try {
      await this.pods.inNamespace(namespace).patch(name, 'strategic', trackingFinalizerPatch());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
