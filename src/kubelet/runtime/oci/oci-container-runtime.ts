/**
 * The `oci` runtime as the agent holds it: runc-backed RuntimeService plus
 * the image service whose layers it stacks.
 */
import type { ContainerRuntime, ImageService } from '../interface.js';
import { OciRuntimeService, type OciRuntimeOptions } from './oci-runtime.js';

export class OciContainerRuntime implements ContainerRuntime {
  readonly name = 'oci' as const;
  readonly runtime: OciRuntimeService;
  readonly images: ImageService;

  constructor(opts: OciRuntimeOptions) {
    this.runtime = new OciRuntimeService(opts);
    this.images = opts.images;
  }

  /** Removes every pod, container, mount, cgroup, network namespace, the bridge and its nat rules. */
  cleanupAll(): Promise<void> {
    return this.runtime.cleanupAll();
  }

  /** Containers keep running: a new instance on the same state directory adopts them. */
  async dispose(): Promise<void> {
    this.runtime.dispose();
  }
}

export function createOciRuntime(opts: OciRuntimeOptions): OciContainerRuntime {
  return new OciContainerRuntime(opts);
}
