/**
 * Which container a pods/log, exec or attach request means, with upstream's
 * rules and texts: an explicit name must be one of the pod's containers
 * (init and ephemeral included); without one, the
 * `kubectl.kubernetes.io/default-container` annotation, then the only
 * container; otherwise the request must name one.
 */
import { badRequest, type StatusError } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

interface PodSpecContainers {
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  ephemeralContainers?: { name: string }[];
}

export type ContainerChoice = { ok: true; container: string } | { ok: false; error: StatusError };

export function chooseContainer(pod: Readonly<KubeObject>, requested: string): ContainerChoice {
  const spec = (pod.spec ?? {}) as PodSpecContainers;
  const names = (list?: { name: string }[]) => (list ?? []).map((c) => c.name);
  const regular = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  const podName = pod.metadata.name ?? '';
  if (requested) {
    if ([...regular, ...init, ...ephemeral].includes(requested)) return { ok: true, container: requested };
    return { ok: false, error: badRequest(`container ${requested} is not valid for pod ${podName}`) };
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && regular.includes(annotated)) return { ok: true, container: annotated };
  if (regular.length === 1) return { ok: true, container: regular[0]! };
  if (regular.length === 0) return { ok: false, error: badRequest(`pod ${podName} does not have a container`) };
  let message = `a container name must be specified for pod ${podName}, choose one of: [${regular.join(' ')}]`;
  if (init.length) message += ` or one of the init containers: [${init.join(' ')}]`;
  if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
  return { ok: false, error: badRequest(message) };
}
