/**
 * What to do next for a pod, given what runs: a pure function of the spec,
 * the runtime's records and probe results, in the order upstream's
 * computePodActions decides it — sandbox first, then init containers one at
 * a time (sidecars stay running and must have started before the next),
 * then every app container, restarted per restartPolicy. Ephemeral
 * containers start once in a running sandbox, ahead of the rest (a broken
 * init container must not keep a debugger out), and never restart.
 */
import type { ContainerT } from '../../api/core/v1/types.js';
import type { ContainerState } from '../runtime/interface.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** One run of a container, as the runtime reports it. */
export interface ContainerRecord {
  id: string;
  name: string;
  attempt: number;
  state: ContainerState;
  exitCode?: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  reason?: string;
  message?: string;
  hash?: string;
}

export interface PlanInput {
  initContainers: ContainerT[];
  containers: ContainerT[];
  /** Debugging containers added to the running pod: started once, never restarted. */
  ephemeralContainers?: ContainerT[];
  restartPolicy: RestartPolicy;
  /** A sandbox exists and is ready. */
  sandboxReady: boolean;
  /** Runs of each container, newest first. */
  records: Map<string, ContainerRecord[]>;
  /** Whether a running container passed its startup probe (true without one). */
  started(record: ContainerRecord): boolean;
  /** Why a running container must be restarted (a failed liveness or startup probe), if it must. */
  unhealthy(record: ContainerRecord): string | undefined;
  /** The spec hash of a container, to notice a changed definition. */
  hashOf(c: ContainerT): string;
}

export type ContainerKind = 'init' | 'app' | 'ephemeral';

export interface StartAction {
  name: string;
  kind: ContainerKind;
  attempt: number;
  /** The run this one replaces, if any (its finish time drives the back-off). */
  previous?: ContainerRecord;
}

export interface KillAction {
  id: string;
  name: string;
  /** The Killing event's message. */
  message: string;
}

export interface PodActions {
  createSandbox: boolean;
  /** Stop every container (the sandbox is gone or being replaced). */
  killAll: boolean;
  start: StartAction[];
  kill: KillAction[];
  /** A regular init container failed and restartPolicy Never: the pod has failed. */
  initFailed: boolean;
  /** No container will run again: the pod has completed. */
  podDone: boolean;
}

export const isSidecar = (c: ContainerT) => c.restartPolicy === 'Always';

export function latest(input: PlanInput, name: string): ContainerRecord | undefined {
  return input.records.get(name)?.[0];
}

const exited = (r: ContainerRecord | undefined) => r?.state === 'CONTAINER_EXITED';
const running = (r: ContainerRecord | undefined) => r?.state === 'CONTAINER_RUNNING';

export function shouldRestart(policy: RestartPolicy, r: ContainerRecord | undefined): boolean {
  if (!r) return true;
  if (r.state === 'CONTAINER_RUNNING') return false;
  if (r.state !== 'CONTAINER_EXITED') return true;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return r.exitCode !== 0;
  return false;
}

/** Regular init containers exited 0 and sidecars started; any app container run also proves it. */
export function initDone(input: PlanInput): boolean {
  if (input.containers.some((c) => input.records.get(c.name)?.length)) return true;
  return input.initContainers.every((c) => {
    const r = latest(input, c.name);
    if (isSidecar(c)) return running(r) && input.started(r!);
    return (input.records.get(c.name) ?? []).some((x) => exited(x) && x.exitCode === 0);
  });
}

const nextAttempt = (r: ContainerRecord | undefined) => (r ? r.attempt + 1 : 0);

export function computePodActions(input: PlanInput): PodActions {
  const actions: PodActions = { createSandbox: false, killAll: false, start: [], kill: [], initFailed: false, podDone: false };
  const anyRecords = [...input.records.values()].some((rs) => rs.length > 0);

  if (!input.sandboxReady) {
    // A pod that never restarts does not get a new sandbox once it ran.
    if (input.restartPolicy === 'Never' && anyRecords) {
      actions.killAll = true;
      actions.podDone = true;
      return actions;
    }
    actions.createSandbox = true;
    actions.killAll = anyRecords;
    const first = input.initContainers[0];
    if (first) actions.start.push({ name: first.name, kind: 'init', attempt: nextAttempt(latest(input, first.name)), previous: latest(input, first.name) });
    else {
      for (const c of input.containers) {
        const r = latest(input, c.name);
        if (input.restartPolicy === 'OnFailure' && exited(r) && r!.exitCode === 0) continue;
        actions.start.push({ name: c.name, kind: 'app', attempt: nextAttempt(r), previous: r });
      }
    }
    return actions;
  }

  for (const c of input.ephemeralContainers ?? []) {
    if (!input.records.get(c.name)?.length) actions.start.push({ name: c.name, kind: 'ephemeral', attempt: 0 });
  }

  const restartOrStart = (c: ContainerT, kind: 'init' | 'app', r: ContainerRecord | undefined) => {
    if (r && r.state !== 'CONTAINER_EXITED' && r.state !== 'CONTAINER_RUNNING') actions.kill.push({ id: r.id, name: c.name, message: `Stopping container ${c.name}` });
    actions.start.push({ name: c.name, kind, attempt: nextAttempt(r), previous: r });
  };
  /** Running and must restart (probe failure or changed definition): kill, and start again when the policy allows. */
  const checkRunning = (c: ContainerT, kind: 'init' | 'app', r: ContainerRecord, policy: RestartPolicy): boolean => {
    const why = input.unhealthy(r) ?? (r.hash && r.hash !== input.hashOf(c) ? `Container ${c.name} definition changed, will be restarted` : undefined);
    if (!why) return false;
    actions.kill.push({ id: r.id, name: c.name, message: why });
    if (policy !== 'Never') actions.start.push({ name: c.name, kind, attempt: nextAttempt(r), previous: r });
    return true;
  };

  const initialized = initDone(input);
  if (!initialized) {
    for (const c of input.initContainers) {
      const r = latest(input, c.name);
      if (isSidecar(c)) {
        if (!r || !running(r)) {
          restartOrStart(c, 'init', r);
          break;
        }
        if (checkRunning(c, 'init', r, 'Always')) break;
        if (!input.started(r)) break;
        continue;
      }
      if (!r || (!running(r) && !exited(r))) {
        restartOrStart(c, 'init', r);
        break;
      }
      if (running(r)) break;
      if (r.exitCode === 0) continue;
      if (input.restartPolicy === 'Never') {
        actions.initFailed = true;
        actions.podDone = true;
        for (const s of input.initContainers) {
          const sr = latest(input, s.name);
          if (isSidecar(s) && running(sr)) actions.kill.push({ id: sr!.id, name: s.name, message: `Stopping container ${s.name}` });
        }
        return actions;
      }
      restartOrStart(c, 'init', r);
      break;
    }
    return actions;
  }

  for (const c of input.initContainers) {
    if (!isSidecar(c)) continue;
    const r = latest(input, c.name);
    if (running(r)) checkRunning(c, 'init', r!, 'Always');
    else restartOrStart(c, 'init', r);
  }

  let appRunningOrRestarting = false;
  for (const c of input.containers) {
    const r = latest(input, c.name);
    if (running(r)) {
      appRunningOrRestarting = true;
      if (checkRunning(c, 'app', r!, input.restartPolicy) && input.restartPolicy === 'Never') appRunningOrRestarting = false;
      continue;
    }
    if (shouldRestart(input.restartPolicy, r)) {
      appRunningOrRestarting = true;
      restartOrStart(c, 'app', r);
    }
  }

  if (!appRunningOrRestarting && input.containers.length) {
    actions.podDone = true;
    // Sidecars and debuggers serve the app containers; once those are done, so are they.
    actions.start = actions.start.filter((s) => s.kind === 'app');
    for (const c of [...input.initContainers.filter(isSidecar), ...(input.ephemeralContainers ?? [])]) {
      const r = latest(input, c.name);
      if (running(r) && !actions.kill.some((k) => k.id === r!.id)) actions.kill.push({ id: r!.id, name: c.name, message: `Stopping container ${c.name}` });
    }
  }
  return actions;
}
