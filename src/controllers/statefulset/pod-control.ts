/**
 * Side effects on a StatefulSet's pods and claims, behind an interface so the
 * update algorithm is tested with a fake. The real one records upstream's
 * events on the set (`create Pod web-0 in StatefulSet web successful`).
 */
import type { Lister } from '../../client/cache/lister.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import type { EventSink } from '../framework/pod-control.js';
import { errorMessage } from '../framework/pod-control.js';
import type { Pod } from '../framework/pods.js';
import { claimOwnerRefs, claimsFor, ordinalOf } from './identity.js';
import type { PersistentVolumeClaim, StatefulSet } from './types.js';

export interface StatefulPodControl {
  /** Creates the pod's missing claims, then the pod. */
  createStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** Restores identity labels on an existing pod (merge patch). */
  patchStatefulPod(set: StatefulSet, pod: Pod, labels: Record<string, string>): Promise<void>;
  /** Creates whichever of the pod's claims do not exist yet. */
  createMissingClaims(set: StatefulSet, pod: Pod): Promise<void>;
  /** Brings the claims' ownerReferences in line with the retention policy. */
  updateClaimOwnerRefs(set: StatefulSet, pod: Pod): Promise<void>;
}

/** A claim still being deleted cannot be mounted by a new pod: wait for it to go. */
export class ClaimTerminatingError extends Error {
  constructor(claim: string) {
    super(`pvc ${claim} is being deleted`);
    this.name = 'ClaimTerminatingError';
  }
}

export class RealStatefulPodControl implements StatefulPodControl {
  constructor(
    private readonly deps: {
      pods: ResourceClient<Pod>;
      claims: ResourceClient<PersistentVolumeClaim>;
      claimLister: Pick<Lister<PersistentVolumeClaim>, 'get'>;
      recorder: EventSink;
    },
  ) {}

  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createMissingClaims(set, pod);
    const name = pod.metadata.name!;
    try {
      await this.deps.pods.inNamespace(set.metadata.namespace ?? '').create(pod);
      this.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      // Our cache was behind: the pod is there, the next sync sees it.
      if (isAlreadyExists(err)) return;
      this.record(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name!;
    try {
      await this.deps.pods.inNamespace(set.metadata.namespace ?? '').delete(name, { preconditions: { uid: pod.metadata.uid } });
      this.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.record(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }

  async patchStatefulPod(set: StatefulSet, pod: Pod, labels: Record<string, string>): Promise<void> {
    const name = pod.metadata.name!;
    try {
      await this.deps.pods.inNamespace(set.metadata.namespace ?? '').patch(name, 'merge', { metadata: { resourceVersion: pod.metadata.resourceVersion, labels } });
      this.record(set, 'Normal', 'SuccessfulUpdate', `update Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      this.record(set, 'Warning', 'FailedUpdate', `update Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }

  async createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const ns = set.metadata.namespace ?? '';
    const podName = pod.metadata.name!;
    for (const claim of claimsFor(set, ordinalOf(pod))) {
      const name = claim.metadata.name!;
      const existing = this.deps.claimLister.get(ns, name);
      if (existing) {
        if (existing.metadata.deletionTimestamp) throw new ClaimTerminatingError(name);
        continue;
      }
      const refs = claimOwnerRefs(set, claim, undefined);
      if (refs?.length) claim.metadata.ownerReferences = refs;
      try {
        await this.deps.claims.inNamespace(ns).create(claim);
        this.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.record(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
        throw err;
      }
    }
  }

  async updateClaimOwnerRefs(set: StatefulSet, pod: Pod): Promise<void> {
    const ns = set.metadata.namespace ?? '';
    for (const wanted of claimsFor(set, ordinalOf(pod))) {
      const claim = this.deps.claimLister.get(ns, wanted.metadata.name!);
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = claimOwnerRefs(set, claim, pod);
      if (!refs) continue;
      try {
        await this.deps.claims.inNamespace(ns).patch(claim.metadata.name!, 'merge', { metadata: { resourceVersion: claim.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private record(set: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.deps.recorder.event(set, type, reason, message);
  }
}
