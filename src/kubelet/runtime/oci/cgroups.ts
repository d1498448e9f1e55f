/**
 * cgroup v1 for containers. Each container gets a cgroup of ours that holds
 * its limits, and runc's own cgroup is a child of it: `runc run` removes its
 * cgroup the moment the container exits, and ours must outlive that so the
 * exit can be told apart (the oom_kill counter) and stats read until the
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

/** How often usage hit the memory limit. Not an OOM signal: reclaim usually succeeds (page cache). */
export function memoryFailCount(rel: string, mount = CGROUP_MOUNT): number {
  return readNumber(path.join(mount, 'memory', rel, 'memory.failcnt')) ?? 0;
}

/** The `oom_kill` counter of a v1 memory.oom_control or a v2 memory.events file; 0 when absent. */
export function parseOomKill(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

function subtree(dir: string): string[] {
  const out = [dir];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      if (statSync(p).isDirectory()) out.push(...subtree(p));
    } catch {}
  }
  return out;
}

/**
 * Processes the kernel's OOM killer killed in the container's cgroup. v1
 * counts a kill only in the victim's own cgroup, so the container's init is
 * moved into ours (memoryScopeHook) where the count outlives runc's cgroup;
 * cgroups below (runc's, holding exec'd processes while it runs) are added.
 * v2 counts hierarchically in memory.events.
 */
export function oomKillCount(rel: string, mount = CGROUP_MOUNT): number {
  if (!existsSync(path.join(mount, 'memory'))) {
    try {
      return parseOomKill(readFileSync(path.join(mount, rel, 'memory.events'), 'utf8'));
    } catch {
      return 0;
    }
  }
  let n = 0;
  for (const dir of subtree(path.join(mount, 'memory', rel))) {
    try {
      n += parseOomKill(readFileSync(path.join(dir, 'memory.oom_control'), 'utf8'));
    } catch {}
  }
  return n;
}

export interface OciHook {
  path: string;
  args: string[];
  env?: string[];
  timeout?: number;
}

/**
 * An OCI createRuntime hook that moves the container's init, before it runs
 * anything, from runc's memory cgroup into ours (v1 only; limits and stats
 * are hierarchical, so only where OOM kills are counted changes). runc
 * removes its own cgroup when the container exits; ours stays until the
 * container is removed, and with it the oom_kill counter. The hook reads the
 * container state runc passes on stdin; plain shell, nothing else needed.
 */
export function memoryScopeHook(rel: string, mount = CGROUP_MOUNT): OciHook | undefined {
  if (!isCgroupV1(mount)) return undefined;
  const script = 'read -r s; s=${s#*?pid?:}; pid=${s%%[!0-9]*}; [ -z "$pid" ] || echo "$pid" > "$1/cgroup.procs"';
  return { path: '/bin/sh', args: ['sh', '-c', script, 'k8ts-memory-scope', path.join(mount, 'memory', rel)], timeout: 10 };
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
