/**
 * What the oci runtime knows about its sandboxes and containers, as one JSON
 * file each under the state directory, written atomically. A new runtime
 * instance on the same directory reads them back: that is how a restarted
 * agent adopts the pods it already runs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerConfig, PodSandboxConfig, SandboxState } from '../interface.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  state: SandboxState;
  ip?: string;
  netns?: string;
  hostVeth?: string;
  /** The pod's IPC namespace and /dev/shm (absent with hostIPC). */
  ipc?: { ipcns: string; shm: string };
  /** Parent of the pod's container cgroups, relative to each hierarchy. */
  cgroupParent: string;
  /** The parent is ours to remove (not one the agent named). */
  ownsCgroupParent: boolean;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  createdAt: number;
  startedAt?: number;
  image: string;
  imageRef: string;
  logPath: string;
  /** Our cgroup, relative to each hierarchy; runc's is `<cgroup>/ctr`. */
  cgroup: string;
  stopSignal?: string;
  shimPid?: number;
  /** The agent asked the container to stop: a kill is then not an OOM. */
  stopRequested?: boolean;
  /** runc could not start it (StartError). */
  startError?: string;
  /** The rootfs overlay is mounted. */
  mounted?: boolean;
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export class StateStore {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();

  constructor(readonly root: string) {
    mkdirSync(this.sandboxesDir, { recursive: true });
    mkdirSync(this.containersDir, { recursive: true });
    for (const id of readdirSync(this.sandboxesDir)) {
      const r = readJson<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
      if (r) this.sandboxes.set(r.id, r);
    }
    for (const id of readdirSync(this.containersDir)) {
      const r = readJson<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
      if (r) this.containers.set(r.id, r);
    }
  }

  get sandboxesDir(): string {
    return path.join(this.root, 'sandboxes');
  }

  get containersDir(): string {
    return path.join(this.root, 'containers');
  }

  get runcRoot(): string {
    return path.join(this.root, 'runc');
  }

  sandboxDir(id: string): string {
    return path.join(this.sandboxesDir, id);
  }

  containerDir(id: string): string {
    return path.join(this.containersDir, id);
  }

  saveSandbox(r: SandboxRecord): void {
    writeJson(path.join(this.sandboxDir(r.id), 'sandbox.json'), r);
    this.sandboxes.set(r.id, r);
  }

  saveContainer(r: ContainerRecord): void {
    writeJson(path.join(this.containerDir(r.id), 'container.json'), r);
    this.containers.set(r.id, r);
  }

  deleteSandbox(id: string): void {
    rmSync(this.sandboxDir(id), { recursive: true, force: true });
    this.sandboxes.delete(id);
  }

  deleteContainer(id: string): void {
    rmSync(this.containerDir(id), { recursive: true, force: true });
    this.containers.delete(id);
  }

  exists(file: string): boolean {
    return existsSync(file);
  }
}
