/**
 * cgroup v1 for containers. Each container gets a cgroup of ours that holds
 * its limits, and runc's own cgroup is a child of it: `runc run` removes its
 * cgroup the moment the container exits, and ours must outlive that so the
 * exit can be told apart (memory.failcnt for OOM) and stats read until the
 * container is removed. Memory and CPU accounting are hierarchical, so our
 * cgroup also counts exec'd processes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LinuxContainerResources } from '../interface.js';

export const CGROUP_MOUNT = '/sys/fs/cgroup';

export interface CgroupStats {
  cpuUsageNanos: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
}

/** The v1 hierarchies mounted here (memory, cpu, cpuacct, pids, ...). */
export function hierarchies(mount = CGROUP_MOUNT): string[] {
  try {
    return readdirSync(mount).filter((n) => {
      try {
        return statSync(path.join(mount, n)).isDirectory();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

export function isCgroupV1(mount = CGROUP_MOUNT): boolean {
  return existsSync(path.join(mount, 'memory', 'memory.limit_in_bytes'));
}

function write(file: string, value: string | number): void {
  writeFileSync(file, String(value));
}

/** Creates the container's cgroup in the controllers that carry limits and writes them. */
export function createCgroup(rel: string, res: LinuxContainerResources | undefined, mount = CGROUP_MOUNT): void {
  for (const c of ['memory', 'cpu', 'cpuacct', 'pids']) mkdirSync(path.join(mount, c, rel), { recursive: true });
  if (!res) return;
  const cpu = path.join(mount, 'cpu', rel);
  if (res.cpuPeriod) write(path.join(cpu, 'cpu.cfs_period_us'), res.cpuPeriod);
  if (res.cpuQuota && res.cpuQuota > 0) write(path.join(cpu, 'cpu.cfs_quota_us'), res.cpuQuota);
  if (res.cpuShares) write(path.join(cpu, 'cpu.shares'), Math.max(2, res.cpuShares));
  if (res.memoryLimitInBytes && res.memoryLimitInBytes > 0) write(path.join(mount, 'memory', rel, 'memory.limit_in_bytes'), res.memoryLimitInBytes);
  if (res.pidsLimit && res.pidsLimit > 0) write(path.join(mount, 'pids', rel, 'pids.max'), res.pidsLimit);
}

function readNumber(file: string): number | undefined {
  try {
    const v = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** How often usage hit the memory limit; with exit code 137 it means the OOM killer. */
export function memoryFailCount(rel: string, mount = CGROUP_MOUNT): number {
  return readNumber(path.join(mount, 'memory', rel, 'memory.failcnt')) ?? 0;
}

export function readStats(rel: string, mount = CGROUP_MOUNT): CgroupStats | undefined {
  const cpu = readNumber(path.join(mount, 'cpuacct', rel, 'cpuacct.usage'));
  const usage = readNumber(path.join(mount, 'memory', rel, 'memory.usage_in_bytes'));
  if (cpu === undefined || usage === undefined) return undefined;
  let inactiveFile = 0;
  try {
    const m = /^total_inactive_file (\d+)$/m.exec(readFileSync(path.join(mount, 'memory', rel, 'memory.stat'), 'utf8'));
    if (m) inactiveFile = Number(m[1]);
  } catch {}
  return { cpuUsageNanos: cpu, memoryUsageBytes: usage, memoryWorkingSetBytes: Math.max(0, usage - inactiveFile) };
}

/** Pids in the cgroup and its children (any hierarchy will do; memory is always there). */
export function cgroupPids(rel: string, mount = CGROUP_MOUNT): number[] {
  const out: number[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    try {
      for (const l of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l.trim()) out.push(Number(l));
    } catch {}
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {}
    }
  };
  walk(path.join(mount, 'memory', rel));
  return out;
}

function removeTree(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const failed: string[] = [];
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      if (statSync(p).isDirectory()) failed.push(...removeTree(p));
    } catch {}
  }
  try {
    rmdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(dir);
  }
  return failed;
}

/** Removes the cgroup and its children from every hierarchy; returns what could not be removed (processes left). */
export function removeCgroup(rel: string, mount = CGROUP_MOUNT): string[] {
  if (!rel || rel === '/' || rel.split('/').includes('..')) return [];
  const failed: string[] = [];
  for (const h of hierarchies(mount)) failed.push(...removeTree(path.join(mount, h, rel)));
  return failed;
}

/** Removes an empty parent cgroup (the pod's or the agent's root); a non-empty one stays. */
export function removeEmptyCgroup(rel: string, mount = CGROUP_MOUNT): void {
  if (!rel || rel === '/' || rel.split('/').includes('..')) return;
  for (const h of hierarchies(mount)) {
    try {
      rmdirSync(path.join(mount, h, rel));
    } catch {}
  }
}
