/**
 * Translation of a pod and its containers into the runtime's sandbox and
 * container configs: labels the agent finds them by again after a restart,
 * resources as cgroup settings, the security context, and the file behind
 * the termination message.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ContainerT, PodT } from '../../api/core/v1/types.js';
import { tryParseQuantity } from '../../machinery/quantity.js';
import {
  type ContainerConfig, type DNSConfig, type KeyValue, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type LinuxContainerResources,
  type LinuxContainerSecurityContext, type Mount, type PodSandboxConfig, type PortMapping,
} from '../runtime/interface.js';
import type { ContainerKind } from './plan.js';

export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANNOTATION_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const ANNOTATION_TERMINATION_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
/** Which list of the pod spec a container comes from: `init` or `app`. */
export const LABEL_CONTAINER_TYPE = 'k8ts.io/container-type';
/** Where the termination message file of the run lives on the host. */
export const ANNOTATION_TERMINATION_MESSAGE_HOST_PATH = 'k8ts.io/termination-message-host-path';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;

/** `name_namespace(uid)`, as kubelet writes pods in messages. */
export function formatPod(pod: PodT): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

export function podLogDirectory(rootDir: string, pod: PodT): string {
  const m = pod.metadata ?? {};
  return path.join(rootDir, 'pods', 'logs', `${m.namespace ?? ''}_${m.name ?? ''}_${m.uid ?? ''}`);
}

export function podLabels(pod: PodT): Record<string, string> {
  const m = pod.metadata ?? {};
  return { ...(m.labels ?? {}), [LABEL_POD_NAME]: m.name ?? '', [LABEL_POD_NAMESPACE]: m.namespace ?? '', [LABEL_POD_UID]: m.uid ?? '' };
}

export interface SandboxInputs {
  rootDir: string;
  attempt: number;
  dns?: DNSConfig;
}

export function sandboxConfig(pod: PodT, inp: SandboxInputs): PodSandboxConfig {
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const ports: PortMapping[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const pm: PortMapping = { protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort };
      if (p.hostIP) pm.hostIP = p.hostIP;
      ports.push(pm);
    }
  }
  const cfg: PodSandboxConfig = {
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '', attempt: inp.attempt },
    hostname: (spec.hostname || m.name || '').slice(0, 63),
    logDirectory: podLogDirectory(inp.rootDir, pod),
    portMappings: ports,
    labels: podLabels(pod),
    annotations: { ...(m.annotations ?? {}) },
    linux: { security: { hostNetwork: spec.hostNetwork === true, hostPID: spec.hostPID === true, hostIPC: spec.hostIPC === true, sharePID: spec.shareProcessNamespace === true } },
  };
  if (inp.dns) cfg.dnsConfig = inp.dns;
  const sysctls = spec.securityContext?.sysctls;
  if (sysctls?.length) cfg.linux.sysctls = Object.fromEntries(sysctls.map((s) => [s.name, s.value]));
  if (spec.hostAliases?.length) cfg.hostAliases = spec.hostAliases.map((h) => ({ ip: h.ip, hostnames: h.hostnames ?? [] }));
  return cfg;
}

/** A stable hash of the container spec, so a changed spec is noticed (upstream restarts the container then). */
export function containerHash(c: ContainerT): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 8);
}

function quantityMilli(v: unknown): number | undefined {
  const q = tryParseQuantity(v);
  return q.ok ? q.quantity.milliValue() : undefined;
}

function quantityValue(v: unknown): number | undefined {
  const q = tryParseQuantity(v);
  return q.ok ? q.quantity.value() : undefined;
}

export function linuxResources(c: ContainerT): LinuxContainerResources {
  const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
  const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
  const r: LinuxContainerResources = {};
  const cpuReq = quantityMilli(req.cpu ?? lim.cpu);
  r.cpuShares = cpuReq === undefined ? MIN_SHARES : Math.max(MIN_SHARES, Math.floor((cpuReq * 1024) / 1000));
  const cpuLim = quantityMilli(lim.cpu);
  if (cpuLim !== undefined && cpuLim > 0) {
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = Math.max(1000, Math.floor((cpuLim * CPU_PERIOD) / 1000));
  }
  const memLim = quantityValue(lim.memory);
  if (memLim !== undefined && memLim > 0) r.memoryLimitInBytes = memLim;
  return r;
}

export type SecurityResult = { ok: true; security: LinuxContainerSecurityContext } | { ok: false; message: string };

/** The effective security context; runAsNonRoot is checked against the image user, with upstream's messages. */
export function securityContext(pod: PodT, c: ContainerT, imageUser: string | undefined): SecurityResult {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const s: LinuxContainerSecurityContext = {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (runAsUser !== undefined) s.runAsUser = runAsUser;
  if (runAsGroup !== undefined) s.runAsGroup = runAsGroup;
  if (psc.supplementalGroups?.length || psc.fsGroup !== undefined) s.supplementalGroups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])];
  if (sc.privileged) s.privileged = true;
  if (sc.readOnlyRootFilesystem) s.readonlyRootfs = true;
  if (sc.allowPrivilegeEscalation === false) s.noNewPrivs = true;
  if (sc.capabilities) s.capabilities = { addCapabilities: [...(sc.capabilities.add ?? [])], dropCapabilities: [...(sc.capabilities.drop ?? [])] };
  if (sc.runAsNonRoot ?? psc.runAsNonRoot) {
    const who = `(pod: "${formatPod(pod)}", container: ${c.name})`;
    if (runAsUser !== undefined) {
      if (runAsUser === 0) return { ok: false, message: `container's runAsUser breaks non-root policy ${who}` };
    } else {
      const user = (imageUser ?? '').split(':')[0] ?? '';
      if (user && !/^\d+$/.test(user)) return { ok: false, message: `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${who}` };
      if (!user || Number(user) === 0) return { ok: false, message: `container has runAsNonRoot and image will run as root ${who}` };
    }
  }
  return { ok: true, security: s };
}

export interface ContainerInputs {
  kind: ContainerKind;
  attempt: number;
  image: string;
  envs: KeyValue[];
  mounts: Mount[];
  security: LinuxContainerSecurityContext;
  /** Host file bind-mounted at the termination message path. */
  terminationMessageHostPath?: string;
}

export function containerConfig(pod: PodT, c: ContainerT, inp: ContainerInputs): ContainerConfig {
  const termPath = c.terminationMessagePath || DEFAULT_TERMINATION_MESSAGE_PATH;
  const mounts = [...inp.mounts];
  if (inp.terminationMessageHostPath) mounts.push({ containerPath: termPath, hostPath: inp.terminationMessageHostPath, readonly: false });
  const annotations: Record<string, string> = {
    [ANNOTATION_CONTAINER_HASH]: containerHash(c),
    [ANNOTATION_RESTART_COUNT]: String(inp.attempt),
    [ANNOTATION_TERMINATION_MESSAGE_PATH]: termPath,
    [ANNOTATION_TERMINATION_MESSAGE_POLICY]: c.terminationMessagePolicy ?? 'File',
    [ANNOTATION_TERMINATION_GRACE]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
  };
  if (inp.terminationMessageHostPath) annotations[ANNOTATION_TERMINATION_MESSAGE_HOST_PATH] = inp.terminationMessageHostPath;
  const cfg: ContainerConfig = {
    metadata: { name: c.name, attempt: inp.attempt },
    image: inp.image,
    envs: inp.envs,
    mounts,
    labels: {
      [LABEL_POD_NAME]: pod.metadata?.name ?? '',
      [LABEL_POD_NAMESPACE]: pod.metadata?.namespace ?? '',
      [LABEL_POD_UID]: pod.metadata?.uid ?? '',
      [LABEL_CONTAINER_NAME]: c.name,
      [LABEL_CONTAINER_TYPE]: inp.kind,
    },
    annotations,
    logPath: path.join(c.name, `${inp.attempt}.log`),
    stdin: c.stdin === true,
    stdinOnce: c.stdinOnce === true,
    tty: c.tty === true,
    linux: { resources: linuxResources(c), securityContext: inp.security },
  };
  if (c.command?.length) cfg.command = [...c.command];
  if (c.args?.length) cfg.args = [...c.args];
  if (c.workingDir) cfg.workingDir = c.workingDir;
  return cfg;
}
