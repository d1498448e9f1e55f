/**
 * The node conditions kubelet posts, computed from what the host and the
 * runtime report. Reasons and messages are upstream's, since `kubectl
 * describe node` users and tools match on them.
 */
import { readFileSync } from 'node:fs';
import type { RuntimeStatus } from '../runtime/interface.js';
import { type FilesystemStats, filesystemStats, parseMeminfo } from './host-info.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NodeCondition {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';
  status: ConditionStatus;
  reason: string;
  message: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface NodeSignals {
  memAvailableBytes?: number;
  nodefs?: FilesystemStats;
  pids?: { max: number; used: number };
}

export interface Thresholds {
  /** MemoryPressure below this (kubelet's default memory.available<100Mi). */
  memoryAvailableBytes: number;
  /** DiskPressure below this fraction of nodefs (nodefs.available<10%). */
  nodefsAvailableFraction: number;
  /** PIDPressure below this fraction of pid_max left. */
  pidAvailableFraction: number;
}

export const defaultThresholds: Thresholds = { memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailableFraction: 0.1, pidAvailableFraction: 0.1 };

/** Runtime health as asked at this moment: its status, or why it could not be asked. */
export type RuntimeHealth = { ok: true; status: RuntimeStatus } | { ok: false; message: string };

function runtimeProblem(h: RuntimeHealth): string | undefined {
  if (!h.ok) return `container runtime is down: ${h.message}`;
  if (!h.status.runtimeReady) return `container runtime status check may not have completed yet${h.status.message ? `: ${h.status.message}` : ''}`;
  if (!h.status.networkReady) return `container runtime network not ready: NetworkReady=false${h.status.message ? ` message:${h.status.message}` : ''}`;
  return undefined;
}

/** The four conditions in upstream's order, without timestamps. */
export function nodeConditions(runtime: RuntimeHealth, signals: NodeSignals, t: Thresholds = defaultThresholds): NodeCondition[] {
  const memory = signals.memAvailableBytes !== undefined && signals.memAvailableBytes < t.memoryAvailableBytes;
  const fs = signals.nodefs;
  const disk = !!fs && fs.totalBytes > 0 && fs.availableBytes / fs.totalBytes < t.nodefsAvailableFraction;
  const p = signals.pids;
  const pid = !!p && p.max > 0 && (p.max - p.used) / p.max < t.pidAvailableFraction;
  const problem = runtimeProblem(runtime);
  return [
    memory
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pid
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    problem
      ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problem }
      : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

/** Whether any condition's status, reason or message differs (timestamps ignored). */
export function conditionsChanged(a: readonly NodeCondition[] | undefined, b: readonly NodeCondition[]): boolean {
  if (!a || a.length !== b.length) return true;
  return b.some((c) => {
    const o = a.find((x) => x.type === c.type);
    return !o || o.status !== c.status || o.reason !== c.reason || o.message !== c.message;
  });
}

/** "1.0 0.5 0.2 3/456 789" -> 456 scheduling entities (threads) in use. */
export function parseLoadavgThreads(text: string): number | undefined {
  const m = /\s\d+\/(\d+)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The host's pressure signals now; a signal that cannot be read is left out (no pressure). */
export function readNodeSignals(dataDir: string): NodeSignals {
  const out: NodeSignals = {};
  const mem = parseMeminfo(read('/proc/meminfo') ?? '');
  if (mem.MemAvailable !== undefined) out.memAvailableBytes = mem.MemAvailable;
  try {
    out.nodefs = filesystemStats(dataDir);
  } catch {
    // A data dir that vanished is reported by the agent elsewhere; no disk signal meanwhile.
  }
  const max = Number(read('/proc/sys/kernel/pid_max')?.trim());
  const used = parseLoadavgThreads(read('/proc/loadavg') ?? '');
  if (max > 0 && used !== undefined) out.pids = { max, used };
  return out;
}
