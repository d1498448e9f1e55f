/**
 * Pods the scheduler has placed but whose binding the informer has not yet
 * reported back. Until it does, the snapshot counts them on their node, so
 * a second pod is never placed on capacity the first one already took.
 */
import type { PodT } from '../api/core/v1/types.js';
import { podKey } from './framework/node-info.js';

export class AssumedPods {
  private readonly byKey = new Map<string, PodT>();

  /** Records `pod` as running on `nodeName`; the stored copy is the caller's no longer. */
  assume(pod: PodT, nodeName: string): PodT {
    const assumed: PodT = { ...pod, spec: { ...pod.spec!, nodeName } };
    this.byKey.set(podKey(pod), assumed);
    return assumed;
  }

  /** Drops the assumption: binding failed, or the informer now shows the truth. */
  forget(pod: PodT): void {
    this.byKey.delete(podKey(pod));
  }

  has(pod: PodT): boolean {
    return this.byKey.has(podKey(pod));
  }

  list(): PodT[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }
}
