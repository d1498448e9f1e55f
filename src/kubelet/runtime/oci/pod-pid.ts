/**
 * The PID namespace the containers of a pod share when its spec sets
 * `shareProcessNamespace`. Unlike the IPC namespace (pod-ipc.ts), a PID
 * namespace cannot be kept by a bind mount: it dies with its first process,
 * and nothing can join it after. Upstream's pause container is that process;
 * here it is `sleep infinity`, started by `unshare --pid --fork` with SIGCHLD
 * ignored (an ignored disposition survives exec), so the kernel reaps the
 * orphans reparented to it, as pause reaps them. `--kill-child` ends it, and
 * with it every process of the namespace, when the unshare process is killed.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { spawnDetached } from './run-command.js';
import { childPids, readText, tryKill } from './proc.js';

export interface PodPidNamespace {
  /** The `unshare` process: killing it ends the namespace. Its command line names the sandbox. */
  holderPid: number;
  /** PID 1 of the namespace, as the host sees it. */
  initPid: number;
  /** The namespace's identity (`pid:[inode]`), so a reused pid is never taken for it. */
  ns: string;
}

const HOLDER_START_TIMEOUT_MS = 5_000;

function nsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** The marker in the holder's command line that ties it to its sandbox. */
export function pidHolderMarker(sandboxId: string): string {
  return `k8ts-pid-${sandboxId}`;
}

export async function startPodPidNamespace(sandboxId: string): Promise<PodPidNamespace> {
  const holderPid = await spawnDetached('unshare', ['--pid', '--fork', '--kill-child', 'sh', '-c', 'trap "" CHLD; exec sleep infinity', pidHolderMarker(sandboxId)]);
  const own = nsOf(process.pid);
  const deadline = Date.now() + HOLDER_START_TIMEOUT_MS;
  for (;;) {
    const initPid = childPids(holderPid)[0] ?? 0;
    const ns = initPid > 0 ? nsOf(initPid) : undefined;
    // Running `sleep` in a namespace of its own: the exec is done and the namespace is ready to join.
    if (ns && ns !== own && readText(`/proc/${initPid}/comm`).trim() === 'sleep') return { holderPid, initPid, ns };
    if (Date.now() > deadline || !nsOf(holderPid)) {
      stopPodPidNamespace({ holderPid, initPid, ns: ns ?? '' }, sandboxId);
      throw new Error("creating the pod's PID namespace: its first process did not start");
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The namespace file containers join; undefined when the namespace is gone. */
export function podPidNamespacePath(p: PodPidNamespace): string | undefined {
  return nsOf(p.initPid) === p.ns ? `/proc/${p.initPid}/ns/pid` : undefined;
}

/** Ends the namespace and every process in it. Idempotent. */
export function stopPodPidNamespace(p: PodPidNamespace, sandboxId: string): void {
  if (readText(`/proc/${p.holderPid}/cmdline`).includes(pidHolderMarker(sandboxId))) tryKill(p.holderPid, 'SIGKILL');
  if (p.ns && nsOf(p.initPid) === p.ns) tryKill(p.initPid, 'SIGKILL');
}

/**
 * Ends a holder the sandbox's record never got to name (the agent died between starting it and
 * saving it), found by the marker in its command line.
 */
export function stopUnrecordedPidHolders(sandboxId: string): void {
  const marker = pidHolderMarker(sandboxId);
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {}
  for (const pid of pids) if (readText(`/proc/${pid}/cmdline`).includes(marker)) tryKill(Number(pid), 'SIGKILL');
}
