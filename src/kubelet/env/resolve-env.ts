/**
 * A container's environment as the node agent hands it to the runtime:
 * envFrom first (later sources override earlier ones), then env in order,
 * each `value` expanded against the variables defined so far and the
 * service variables, then the service variables the container did not
 * override. A missing non-optional source fails the container with
 * CreateContainerConfigError and upstream's message.
 */
import type { ConfigMapT, ContainerT, PodT, SecretT } from '../../api/core/v1/types.js';
import { isEnvVarName } from '../../machinery/validation/names.js';
import type { KeyValue } from '../runtime/interface.js';
import { expand, mappingFor } from './expansion.js';
import { extractPodField } from './field-path.js';
import { type ResourceList, extractContainerResource, limitsWithAllocatable } from './resource-field.js';

/** What the agent knows about its node. */
export interface EnvNodeInfo {
  name: string;
  /** The node's primary IP (status.hostIP). */
  ip?: string;
  /** Every node IP, primary first (status.hostIPs); defaults to [ip]. */
  ips?: string[];
  /** Node allocatable: the value of a resourceFieldRef limit the container does not set. */
  allocatable?: ResourceList;
}

export interface EnvDeps {
  /** The config map, or undefined when it does not exist. Other failures may throw. */
  configMap(namespace: string, name: string): Promise<ConfigMapT | undefined>;
  secret(namespace: string, name: string): Promise<SecretT | undefined>;
  node?: EnvNodeInfo;
  /** The pod's IPs once its sandbox exists; defaults to those in pod.status. */
  podIPs?: string[];
  /** Service variables (see serviceEnvForPod). */
  serviceEnv?: KeyValue[];
}

/** An event the agent should record on the pod. */
export interface EnvEvent {
  type: 'Warning';
  reason: 'InvalidEnvironmentVariableNames';
  message: string;
}

export type ResolveEnvResult =
  | { ok: true; envs: KeyValue[]; events: EnvEvent[] }
  | { ok: false; reason: 'CreateContainerConfigError'; message: string };

class ConfigError extends Error {}

function decodeSecretValue(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

export async function resolveEnv(pod: PodT, container: ContainerT, deps: EnvDeps): Promise<ResolveEnvResult> {
  try {
    return await resolve(pod, container, deps);
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, reason: 'CreateContainerConfigError', message: err.message };
    return { ok: false, reason: 'CreateContainerConfigError', message: err instanceof Error ? err.message : String(err) };
  }
}

async function resolve(pod: PodT, container: ContainerT, deps: EnvDeps): Promise<ResolveEnvResult> {
  const ns = pod.metadata?.namespace ?? 'default';
  const configMaps = new Map<string, ConfigMapT | undefined>();
  const secrets = new Map<string, SecretT | undefined>();
  const getConfigMap = async (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, await deps.configMap(ns, name));
    return configMaps.get(name);
  };
  const getSecret = async (name: string) => {
    if (!secrets.has(name)) secrets.set(name, await deps.secret(ns, name));
    return secrets.get(name);
  };
  const serviceEnv = new Map((deps.serviceEnv ?? []).map((kv) => [kv.key, kv.value]));
  const env = new Map<string, string>();
  const events: EnvEvent[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string>;
    let what: string;
    let name: string;
    if (from.configMapRef) {
      name = from.configMapRef.name ?? '';
      what = 'configMap';
      const cm = await getConfigMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${name}" not found`);
      }
      data = cm.data ?? {};
    } else if (from.secretRef) {
      name = from.secretRef.name ?? '';
      what = 'secret';
      const s = await getSecret(name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ConfigError(`secret "${name}" not found`);
      }
      data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decodeSecretValue(String(v))]));
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = prefix + k;
      if (isEnvVarName(key).length) {
        invalid.push(key);
        continue;
      }
      env.set(key, v);
    }
    if (invalid.length) {
      invalid.sort();
      events.push({
        type: 'Warning',
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.join(', ')}] from the EnvFrom ${what} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const mapping = mappingFor(env, serviceEnv);
  for (const ev of container.env ?? []) {
    let value = ev.value ?? '';
    if (value !== '') {
      value = expand(value, mapping);
    } else if (ev.valueFrom) {
      const src = ev.valueFrom;
      if (src.fieldRef) {
        const hostIPs = deps.node?.ips ?? (deps.node?.ip ? [deps.node.ip] : undefined);
        const r = extractPodField(pod, src.fieldRef.fieldPath, src.fieldRef.apiVersion, { podIPs: deps.podIPs, hostIPs, nodeName: deps.node?.name });
        if (!r.ok) throw new ConfigError(r.message);
        value = r.value;
      } else if (src.resourceFieldRef) {
        const resources = limitsWithAllocatable(container.resources, deps.node?.allocatable);
        const r = extractContainerResource(src.resourceFieldRef, { resources });
        if (!r.ok) throw new ConfigError(r.message);
        value = r.value;
      } else if (src.configMapKeyRef) {
        const { name = '', key, optional } = src.configMapKeyRef;
        const cm = await getConfigMap(name);
        if (!cm) {
          if (optional) continue;
          throw new ConfigError(`configmap "${name}" not found`);
        }
        const v = cm.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new ConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (src.secretKeyRef) {
        const { name = '', key, optional } = src.secretKeyRef;
        const s = await getSecret(name);
        if (!s) {
          if (optional) continue;
          throw new ConfigError(`secret "${name}" not found`);
        }
        const v = s.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new ConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = decodeSecretValue(String(v));
      }
    }
    env.set(ev.name, value);
  }

  const envs: KeyValue[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of serviceEnv) if (!env.has(key)) envs.push({ key, value });
  return { ok: true, envs, events };
}
