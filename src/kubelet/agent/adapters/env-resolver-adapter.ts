/**
 * The pod agent's EnvResolver over resolveEnv: config maps and secrets are
 * read through the API when a container starts (as kubelet's Get strategy
 * does), service link variables come from the agent's service cache.
 */
import type { ConfigMapT, ContainerT, PodT, SecretT, ServiceT } from '../../../api/core/v1/types.js';
import { ResourceClient } from '../../../client/rest/resource-client.js';
import type { RESTClient } from '../../../client/rest/rest-client.js';
import { isNotFound } from '../../../machinery/errors/index.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { type ResourceList, resolveEnv, serviceEnvForPod } from '../../env/index.js';
import type { EnvContext, EnvResolver, EnvResult } from '../interfaces.js';

/** Upstream's refusal to start containers before the services have been listed: their variables would be missing. */
export const SERVICES_NOT_SYNCED = 'services have not yet been read at least once, cannot construct envvars';

export interface APIEnvResolverOptions {
  rest: RESTClient;
  nodeName: string;
  /** Services of every namespace, or undefined until they have been read once. */
  services: () => readonly ServiceT[] | undefined;
  nodeAllocatable?: () => ResourceList | undefined;
}

export class APIEnvResolver implements EnvResolver {
  private readonly configMaps: ResourceClient<ConfigMapT & KubeObject>;
  private readonly secrets: ResourceClient<SecretT & KubeObject>;

  constructor(private readonly opts: APIEnvResolverOptions) {
    this.configMaps = new ResourceClient<ConfigMapT & KubeObject>(opts.rest, { group: '', version: 'v1', resource: 'configmaps' });
    this.secrets = new ResourceClient<SecretT & KubeObject>(opts.rest, { group: '', version: 'v1', resource: 'secrets' });
  }

  async resolve(pod: PodT, container: ContainerT, ctx: EnvContext): Promise<EnvResult> {
    const services = this.opts.services();
    if (!services) return { ok: false, reason: 'CreateContainerConfigError', message: SERVICES_NOT_SYNCED };
    const serviceEnv = serviceEnvForPod(services, { namespace: pod.metadata?.namespace ?? 'default', enableServiceLinks: pod.spec?.enableServiceLinks });
    const r = await resolveEnv(pod, container, {
      configMap: (ns, name) => orUndefined(this.configMaps.inNamespace(ns).get(name)),
      secret: (ns, name) => orUndefined(this.secrets.inNamespace(ns).get(name)),
      node: { name: this.opts.nodeName, ip: ctx.hostIP, allocatable: this.opts.nodeAllocatable?.() },
      podIPs: ctx.podIPs?.length ? ctx.podIPs : undefined,
      serviceEnv,
    });
    return r.ok ? { ok: true, envs: r.envs, events: r.events } : r;
  }
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
