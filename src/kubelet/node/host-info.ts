/**
 * What the node agent reports about its host: identity (machine, boot,
 * kernel, OS) and capacity. Parsers take file contents, so they are tested
 * on fixtures; `readHostInfo` reads the real files (a root dir is injectable).
 */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface HostInfo {
  cpus: number;
  memTotalBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
  hostname: string;
}

export interface ResourceList {
  [resource: string]: string;
}

/** `/proc/meminfo` as bytes per field (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1);
  }
  return out;
}

/** PRETTY_NAME of `/etc/os-release` (quotes and escapes removed), or "Linux". */
export function parseOSRelease(text: string): string {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    fields[m[1]!] = v;
  }
  return fields.PRETTY_NAME || fields.NAME || 'Linux';
}

/** Go's GOARCH names, which Kubernetes uses in labels and nodeInfo. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

export function goOS(platform: string = process.platform): string {
  return platform === 'win32' ? 'windows' : platform;
}

export interface CapacityInput {
  cpus: number;
  memTotalBytes: number;
  /** Size of the filesystem holding the agent's data dir. */
  fsTotalBytes: number;
  maxPods?: number;
}

export interface CapacityOptions {
  /** Memory held back from pods: kubelet's default hard eviction threshold (100Mi) unless given. */
  memoryReserveBytes?: number;
  /** Fraction of the filesystem held back: kubelet's default nodefs.available (10%) unless given. */
  storageReserveFraction?: number;
}

const Mi = 1024 * 1024;

/**
 * Capacity and allocatable as kubelet reports them: memory and storage
 * capacity in Ki, allocatable memory in Ki minus the reserve, allocatable
 * storage in plain bytes (capacity minus the eviction threshold).
 */
export function nodeCapacity(input: CapacityInput, opts: CapacityOptions = {}): { capacity: ResourceList; allocatable: ResourceList } {
  const memKi = Math.floor(input.memTotalBytes / 1024);
  const reserveKi = Math.floor((opts.memoryReserveBytes ?? 100 * Mi) / 1024);
  const fsKi = Math.floor(input.fsTotalBytes / 1024);
  const fsAllocatable = Math.floor(input.fsTotalBytes * (1 - (opts.storageReserveFraction ?? 0.1)));
  const pods = String(input.maxPods ?? 110);
  const common = { cpu: String(input.cpus), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods };
  return {
    capacity: { ...common, memory: `${memKi}Ki`, 'ephemeral-storage': `${fsKi}Ki` },
    allocatable: { ...common, memory: `${Math.max(0, memKi - reserveKi)}Ki`, 'ephemeral-storage': String(Math.max(0, fsAllocatable)) },
  };
}

/** The first non-internal IPv4 address of the host, or 127.0.0.1 when it has none. */
export function firstIPv4(interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces()): string {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface FilesystemStats {
  totalBytes: number;
  availableBytes: number;
  inodesFree: number;
  inodesTotal: number;
}

/** statfs of `dir`; blocks available to unprivileged users count as available, as kubelet's nodefs does. */
export function filesystemStats(dir: string): FilesystemStats {
  const s = statfsSync(dir);
  return { totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, inodesFree: s.ffree, inodesTotal: s.files };
}

/** Reads the host's identity and size; `root` lets tests point at a fixture tree. */
export function readHostInfo(opts: { root?: string } = {}): HostInfo {
  const at = (p: string) => path.join(opts.root ?? '/', p);
  const meminfo = parseMeminfo(readTrimmed(at('proc/meminfo')) ?? '');
  const machineID = readTrimmed(at('etc/machine-id')) ?? readTrimmed(at('var/lib/dbus/machine-id')) ?? '';
  return {
    cpus: os.cpus().length || 1,
    memTotalBytes: meminfo.MemTotal ?? os.totalmem(),
    machineID,
    // product_uuid is root-only; upstream falls back the same way when it cannot be read.
    systemUUID: readTrimmed(at('sys/class/dmi/id/product_uuid'))?.toLowerCase() ?? machineID,
    bootID: readTrimmed(at('proc/sys/kernel/random/boot_id')) ?? '',
    kernelVersion: os.release(),
    osImage: parseOSRelease(readTrimmed(at('etc/os-release')) ?? readTrimmed(at('usr/lib/os-release')) ?? ''),
    operatingSystem: goOS(),
    architecture: goArch(),
    hostname: os.hostname().toLowerCase(),
  };
}
