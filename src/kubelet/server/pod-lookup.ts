/**
 * How the kubelet server finds what a request names: the sandbox of a pod
 * and the instances of one of its containers. The agent knows pods best
 * (and can say why a container is still waiting); `runtimePodLookup` answers
 * from the runtime alone, by the CRI metadata every sandbox and container
 * carries, for agents that need nothing more.
 */
import type { ContainerState, RuntimeService } from '../runtime/interface.js';

export interface PodRef {
  namespace: string;
  name: string;
  /** Set when the request names one incarnation of the pod. */
  uid?: string;
}

export interface ContainerInstance {
  id: string;
  podSandboxId: string;
  state: ContainerState;
  /** Absolute path of its CRI-format log file. */
  logPath: string;
  attempt: number;
}

export interface PodSandboxRef {
  id: string;
  uid: string;
}

export interface PodLookup {
  /** The pod's current sandbox on this node, undefined when it has none. */
  sandbox(pod: PodRef): Promise<PodSandboxRef | undefined>;
  /**
   * The newest instance of the named container, or with `previous` the one
   * before it; undefined when there is no such instance.
   */
  container(pod: PodRef, name: string, opts: { previous: boolean }): Promise<ContainerInstance | undefined>;
  /** Why a container without an instance is waiting (`ContainerCreating`, `ImagePullBackOff`...), when known. */
  waitingReason?(pod: PodRef, name: string): Promise<string | undefined>;
}

export function runtimePodLookup(runtime: RuntimeService): PodLookup {
  const sandboxesOf = async (pod: PodRef) =>
    (await runtime.listPodSandbox())
      .filter((s) => s.metadata.namespace === pod.namespace && s.metadata.name === pod.name && (!pod.uid || s.metadata.uid === pod.uid))
      .sort((a, b) => Number(b.state === 'SANDBOX_READY') - Number(a.state === 'SANDBOX_READY') || b.createdAt - a.createdAt);
  return {
    async sandbox(pod) {
      const s = (await sandboxesOf(pod))[0];
      return s ? { id: s.id, uid: s.metadata.uid } : undefined;
    },
    async container(pod, name, opts) {
      const sandboxes = await sandboxesOf(pod);
      if (!sandboxes.length) return undefined;
      // Every sandbox of the newest incarnation counts: a restarted sandbox keeps the pod's containers' history.
      const uid = sandboxes[0]!.metadata.uid;
      const ids = new Set(sandboxes.filter((s) => s.metadata.uid === uid).map((s) => s.id));
      const instances = (await runtime.listContainers())
        .filter((c) => ids.has(c.podSandboxId) && c.metadata.name === name)
        .sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
      const c = instances[opts.previous ? 1 : 0];
      return c ? { id: c.id, podSandboxId: c.podSandboxId, state: c.state, logPath: c.logPath, attempt: c.metadata.attempt } : undefined;
    },
  };
}
