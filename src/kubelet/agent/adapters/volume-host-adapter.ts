/**
 * The pod agent's VolumeHost over the VolumeManager. Pods this process did
 * not set up (adopted after an agent restart) are set up again on their
 * first resync, so their config map and secret files keep being refreshed.
 */
import type { PodT } from '../../../api/core/v1/types.js';
import type { ResourceList } from '../../env/index.js';
import type { VolumeManager } from '../../volumes/index.js';
import type { SetUpResult, VolumeHost, VolumeResyncResult, VolumeTearDownResult } from '../interfaces.js';

export interface VolumeManagerHostOptions {
  manager: VolumeManager;
  /** The node's allocatable resources, for resourceFieldRef items of downward API volumes. */
  nodeAllocatable?: () => ResourceList | undefined;
}

export class VolumeManagerHost implements VolumeHost {
  private readonly setUpPods = new Set<string>();

  constructor(private readonly opts: VolumeManagerHostOptions) {}

  private deps() {
    return { nodeAllocatable: this.opts.nodeAllocatable?.() };
  }

  async setUp(pod: PodT): Promise<SetUpResult> {
    const r = await this.opts.manager.setUp(pod, this.deps());
    if (r.ok) this.setUpPods.add(pod.metadata?.uid ?? '');
    return r;
  }

  async resync(pod: PodT): Promise<VolumeResyncResult> {
    const uid = pod.metadata?.uid ?? '';
    if (!this.setUpPods.has(uid)) {
      const r = await this.setUp(pod);
      return r.ok ? { ok: true, changed: [] } : r;
    }
    return this.opts.manager.resync(pod, this.deps());
  }

  async tearDown(podUID: string): Promise<VolumeTearDownResult> {
    const r = await this.opts.manager.tearDown(podUID);
    if (r.ok) this.setUpPods.delete(podUID);
    return r;
  }
}
