/**
 * The pod status the agent reports, computed from the runtime's records,
 * probe results and the reasons of the last failed attempts — phase as
 * upstream's getPhase, conditions with their transition times kept, and one
 * status per container (current state, the previous run, restarts).
 */
import type { ContainerStatusT, ContainerT, PodConditionT, PodStatusT, PodT } from '../../api/core/v1/types.js';
import { type ContainerKind, type ContainerRecord, isSidecar, type RestartPolicy, shouldRestart } from './plan.js';
import { podQOSClass } from './qos.js';

export interface WaitingReason {
  reason: string;
  message: string;
}

export interface StatusInput {
  pod: PodT;
  now: string;
  hostIP: string;
  sandbox?: { ready: boolean; ip?: string };
  records: Map<string, ContainerRecord[]>;
  /** The last failure of each container that keeps it waiting (ErrImagePull, CrashLoopBackOff...). */
  waiting: Map<string, WaitingReason>;
  ready(r: ContainerRecord): boolean;
  started(r: ContainerRecord): boolean;
  initialized: boolean;
  /** `containerd`, `oci`, `sim`: the scheme of containerIDs. */
  runtimeScheme: string;
  imageID(r: ContainerRecord): string;
  /** A terminal phase the agent decided (DeadlineExceeded, a failed init with Never, completion). */
  terminal?: { phase: 'Succeeded' | 'Failed'; reason?: string; message?: string };
}

type State = NonNullable<ContainerStatusT['state']>;

function recordState(r: ContainerRecord, scheme: string): State {
  switch (r.state) {
    case 'CONTAINER_RUNNING':
      return { running: { startedAt: iso(r.startedAt ?? r.createdAt) } };
    case 'CONTAINER_EXITED': {
      const t: NonNullable<State['terminated']> = {
        exitCode: r.exitCode ?? 0,
        reason: r.reason && r.reason !== 'Completed' && r.reason !== 'Error' ? r.reason : r.exitCode === 0 ? 'Completed' : 'Error',
        startedAt: iso(r.startedAt ?? r.createdAt),
        finishedAt: iso(r.finishedAt ?? r.startedAt ?? r.createdAt),
        containerID: `${scheme}://${r.id}`,
      };
      if (r.message) t.message = r.message;
      return { terminated: t };
    }
    default:
      return { waiting: { reason: 'ContainerCreating' } };
  }
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function containerStatuses(input: StatusInput, specs: ContainerT[], kind: ContainerKind): ContainerStatusT[] {
  const policy = (input.pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
  const hasInit = (input.pod.spec?.initContainers ?? []).length > 0;
  return specs.map((c) => {
    const rs = input.records.get(c.name) ?? [];
    const r = rs[0];
    const status: ContainerStatusT = { name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, started: false, state: {}, lastState: {} };
    const why = input.waiting.get(c.name);
    if (!r) {
      status.state = { waiting: why ? { ...why } : { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
      return status;
    }
    status.containerID = `${input.runtimeScheme}://${r.id}`;
    status.imageID = input.imageID(r);
    status.restartCount = r.attempt;
    status.state = recordState(r, input.runtimeScheme);
    if (rs[1] && rs[1].state === 'CONTAINER_EXITED') status.lastState = recordState(rs[1], input.runtimeScheme);
    const restarts = kind === 'ephemeral' ? false : kind === 'init' ? (isSidecar(c) ? true : policy !== 'Never' && r.exitCode !== 0) : shouldRestart(policy, r);
    if (why && r.state !== 'CONTAINER_RUNNING' && restarts) {
      if (status.state.terminated) status.lastState = status.state;
      status.state = { waiting: { ...why } };
    }
    if (r.state === 'CONTAINER_RUNNING') {
      status.started = input.started(r);
      status.ready = status.started && input.ready(r);
    }
    return status;
  });
}

/** Upstream's getPhase over the computed container statuses. */
export function podPhase(pod: PodT, init: ContainerStatusT[], app: ContainerStatusT[]): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initSpecs = pod.spec?.initContainers ?? [];
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of initSpecs) {
    const s = init.find((x) => x.name === c.name);
    if (isSidecar(c)) {
      if (!s || !s.state?.running || !s.started) pendingInit++;
      continue;
    }
    if (!s) pendingInit++;
    else if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let runningN = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec?.containers ?? []) {
    const s = app.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state?.running) runningN++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  // Once app containers ran, the pod is past initialization even if a sidecar restarts.
  if ((pendingInit > 0 || failedInit > 0) && runningN === 0 && stopped === 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (runningN > 0 && unknown === 0) return 'Running';
  if (runningN === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(pod: PodT, type: string, ok: boolean, now: string, reason?: string, message?: string): PodConditionT {
  const status = ok ? 'True' : 'False';
  const prev = pod.status?.conditions?.find((c) => c.type === type);
  const c: PodConditionT = { type, status, lastProbeTime: null as unknown as string, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

const OWNED = new Set(['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']);

export function generatePodStatus(input: StatusInput): PodStatusT {
  const pod = input.pod;
  const spec = pod.spec ?? { containers: [] };
  const init = containerStatuses(input, spec.initContainers ?? [], 'init');
  const app = containerStatuses(input, spec.containers ?? [], 'app');
  const phase = input.terminal?.phase ?? (isTerminal(pod.status?.phase) ? (pod.status!.phase as 'Succeeded' | 'Failed') : podPhase(pod, init, app));
  const done = phase === 'Succeeded' || phase === 'Failed';

  const hostNetwork = spec.hostNetwork === true;
  const sandboxOK = !!input.sandbox?.ready && (hostNetwork || !!input.sandbox.ip);
  const incomplete = (spec.initContainers ?? []).filter((c) => {
    const s = init.find((x) => x.name === c.name);
    return isSidecar(c) ? !(s?.started) : s?.state?.terminated?.exitCode !== 0;
  });
  const unready = [...(spec.initContainers ?? []).filter(isSidecar), ...(spec.containers ?? [])].filter((c) => ![...init, ...app].find((x) => x.name === c.name)?.ready).map((c) => c.name);
  const containersReady = unready.length === 0 && !done;
  const gateProblems = (spec.readinessGates ?? []).flatMap((g) => {
    const c = pod.status?.conditions?.find((x) => x.type === g.conditionType);
    if (!c) return [`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`];
  });
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodConditionT[] = [
    condition(pod, 'PodReadyToStartContainers', sandboxOK, input.now),
    input.initialized || !incomplete.length
      ? condition(pod, 'Initialized', true, input.now, done && spec.initContainers?.length ? 'PodCompleted' : undefined)
      : condition(pod, 'Initialized', false, input.now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.map((c) => c.name).join(' ')}]`),
    containersReady && !gateProblems.length
      ? condition(pod, 'Ready', true, input.now)
      : !containersReady
        ? condition(pod, 'Ready', false, input.now, notReadyReason, notReadyMessage)
        : condition(pod, 'Ready', false, input.now, 'ReadinessGatesNotReady', gateProblems.join(', ')),
    containersReady ? condition(pod, 'ContainersReady', true, input.now) : condition(pod, 'ContainersReady', false, input.now, notReadyReason, notReadyMessage),
    ...(pod.status?.conditions ?? []).filter((c) => !OWNED.has(c.type)),
  ];

  const status: PodStatusT = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: pod.status?.startTime ?? input.now,
    qosClass: podQOSClass(pod),
    containerStatuses: app,
  };
  if (spec.initContainers?.length) status.initContainerStatuses = init;
  if (spec.ephemeralContainers?.length) status.ephemeralContainerStatuses = containerStatuses(input, spec.ephemeralContainers as ContainerT[], 'ephemeral');
  const podIP = hostNetwork ? input.hostIP : input.sandbox?.ip ?? pod.status?.podIP;
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  const reason = input.terminal?.reason ?? pod.status?.reason;
  const message = input.terminal?.message ?? pod.status?.message;
  if (reason) status.reason = reason;
  if (message) status.message = message;
  return status;
}

export const isTerminal = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed';
