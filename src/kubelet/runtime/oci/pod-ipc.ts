/**
 * What the containers of a pod share besides the network: one IPC namespace
 * and one /dev/shm. Upstream a pause process holds them; here the namespace
 * is kept alive by a bind mount of its nsfs file (as `ip netns` does for
 * network namespaces) and /dev/shm is a tmpfs mounted on the host, so no
 * process per pod is needed.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { mustRun, runCommand } from './run-command.js';

export interface PodIpc {
  /** The nsfs bind mount containers join by path. */
  ipcns: string;
  /** A 64 MiB tmpfs every container mounts at /dev/shm. */
  shm: string;
}

function isMountpoint(p: string): boolean {
  const esc = p.replace(/ /g, '\\040');
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === esc);
}

/**
 * A namespace file cannot be bind-mounted under a shared mount (the usual
 * systemd root); the directory then becomes a private bind mount of itself.
 */
async function makePrivateDir(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (isMountpoint(dir)) return;
  await mustRun('mount', ['--bind', dir, dir]);
  await mustRun('mount', ['--make-private', dir]);
}

/** Sandboxes started together share one bind mount instead of stacking one each. */
const privateDirs = new Map<string, Promise<void>>();

function ensurePrivateDir(dir: string): Promise<void> {
  let p = privateDirs.get(dir);
  if (!p) {
    p = makePrivateDir(dir).finally(() => privateDirs.delete(dir));
    privateDirs.set(dir, p);
  }
  return p;
}

/** Where a sandbox's IPC namespace and /dev/shm live, known before they exist so they can be recorded first. */
export function podIpcPaths(nsDir: string, sandboxId: string): PodIpc {
  return { ipcns: path.join(nsDir, `${sandboxId}-ipc`), shm: path.join(nsDir, `${sandboxId}-shm`) };
}

export async function createPodIpc(nsDir: string, sandboxId: string): Promise<PodIpc> {
  mkdirSync(nsDir, { recursive: true });
  const { ipcns, shm } = podIpcPaths(nsDir, sandboxId);
  closeSync(openSync(ipcns, 'a'));
  let r = await runCommand('unshare', [`--ipc=${ipcns}`, 'true']);
  if (r.code !== 0) {
    await ensurePrivateDir(nsDir);
    r = await runCommand('unshare', [`--ipc=${ipcns}`, 'true']);
    if (r.code !== 0) throw new Error(`creating the pod's IPC namespace: ${r.stderr.trim()}`);
  }
  mkdirSync(shm, { recursive: true });
  await mustRun('mount', ['-t', 'tmpfs', '-o', 'nosuid,nodev,noexec,mode=1777,size=65536k', 'shm', shm]);
  return { ipcns, shm };
}

/** Idempotent. */
export async function removePodIpc(ipc: PodIpc): Promise<void> {
  for (const p of [ipc.ipcns, ipc.shm]) {
    if (!existsSync(p)) continue;
    if (isMountpoint(p)) {
      const r = await runCommand('umount', [p]);
      if (r.code !== 0 && isMountpoint(p)) await runCommand('umount', ['-l', p]);
    }
    rmSync(p, { recursive: true, force: true });
  }
}

/** Undoes ensurePrivateDir (agent `--cleanup`). */
export async function releaseNsDir(nsDir: string): Promise<void> {
  if (existsSync(nsDir) && isMountpoint(nsDir)) await runCommand('umount', [nsDir]);
}
