/**
 * What the oci runtime knows about its sandboxes and containers, as one JSON
 * file each under the state directory, written atomically. A new runtime
 * instance on the same directory reads them back: that is how a restarted
 * agent adopts the pods it already runs.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ContainerConfig, PodSandboxConfig, SandboxState } from '../interface.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { PodPidNamespace } from './pod-pid.js';

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
  /** The PID namespace the pod's containers share (shareProcessNamespace), and the process that holds it. */
  pidns?: PodPidNamespace;
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

export class StateStore {
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly containers = new Map<string, ContainerRecord>();

  constructor(readonly root: string) {
    mkdirSync(this.sandboxesDir, { recursive: true });
    mkdirSync(this.containersDir, { recursive: true });
    for (const id of readdirSync(this.sandboxesDir)) {
      const r = readJsonFile<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
      if (r) this.sandboxes.set(r.id, r);
    }
    for (const id of readdirSync(this.containersDir)) {
      const r = readJsonFile<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
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
    this.writeRecord(this.sandboxDir(r.id), 'sandbox.json', r);
    this.sandboxes.set(r.id, r);
  }

  saveContainer(r: ContainerRecord): void {
    this.writeRecord(this.containerDir(r.id), 'container.json', r);
    this.containers.set(r.id, r);
  }

  /** Directories known to exist: a record is saved several times per start. */
  private readonly made = new Set<string>();

  private writeRecord(dir: string, name: string, value: unknown): void {
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    writeJsonFile(path.join(dir, name), value);
  }

  deleteSandbox(id: string): void {
    this.made.delete(this.sandboxDir(id));
    rmSync(this.sandboxDir(id), { recursive: true, force: true });
    this.sandboxes.delete(id);
  }

  deleteContainer(id: string): void {
    this.made.delete(this.containerDir(id));
    rmSync(this.containerDir(id), { recursive: true, force: true });
    this.containers.delete(id);
  }

  exists(file: string): boolean {
    return existsSync(file);
  }
}
