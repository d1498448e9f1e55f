/**
 * Allocates unique values (Service ClusterIPs, NodePorts) with one storage key
 * per allocated value, created only if absent. The compare-and-swap of the
 * backend makes two concurrent creates unable to take the same value, and the
 * records survive restarts with the rest of the state. Keys live outside
 * /registry/ so the watch cache never sees them.
 */
import { formatIPv4, maskIPv4, parseIPv4 } from '../../../machinery/net/ipv4.js';
import type { Backend } from '../../../storage/interface.js';

export interface Range {
  /** Number of allocatable values. */
  size: number;
  /** Offset -> value text. */
  valueAt(offset: number): string;
  /** Value text -> offset, or undefined when outside the range. */
  offsetOf(value: string): number | undefined;
}

const encoder = new TextEncoder();

export class Allocator {
  constructor(
    private readonly backend: Backend,
    private readonly prefix: string,
    readonly range: Range,
    private readonly random: () => number = Math.random,
  ) {}

  private key(value: string): string {
    return `${this.prefix}${value}`;
  }

  contains(value: string): boolean {
    return this.range.offsetOf(value) !== undefined;
  }

  /** Takes a specific value; false when already taken. */
  async reserve(value: string, owner: string): Promise<boolean> {
    const res = await this.backend.create(this.key(value), encoder.encode(JSON.stringify({ owner })));
    return res.ok;
  }

  /** Takes any free value: random probes first, then a scan from a random start. */
  async allocate(owner: string, opts: { skip?: (offset: number) => boolean } = {}): Promise<string | undefined> {
    const { size } = this.range;
    for (let i = 0; i < 16; i++) {
      const off = Math.floor(this.random() * size);
      if (opts.skip?.(off)) continue;
      const v = this.range.valueAt(off);
      if (await this.reserve(v, owner)) return v;
    }
    const start = Math.floor(this.random() * size);
    for (let i = 0; i < size; i++) {
      const off = (start + i) % size;
      if (opts.skip?.(off)) continue;
      const v = this.range.valueAt(off);
      if (await this.reserve(v, owner)) return v;
    }
    return undefined;
  }

  async release(value: string): Promise<void> {
    await this.backend.delete(this.key(value));
  }
}

/** An IPv4 CIDR's usable addresses (network and broadcast excluded). */
export function cidrRange(cidr: string): Range & { base: number; first: string } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  const baseIP = m ? parseIPv4(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (baseIP === undefined || !(bits >= 1 && bits <= 30)) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}: expected a.b.c.d/n with n between 1 and 30`);
  const base = maskIPv4(baseIP, bits);
  const size = 2 ** (32 - bits) - 2;
  return {
    base,
    size,
    first: formatIPv4(base + 1),
    valueAt: (off) => formatIPv4(base + 1 + off),
    offsetOf: (v) => {
      const n = parseIPv4(v);
      if (n === undefined) return undefined;
      const off = n - base - 1;
      return off >= 0 && off < size ? off : undefined;
    },
  };
}

export function portRange(spec: string): Range & { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(spec.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!(min >= 1 && max <= 65535 && min <= max)) throw new Error(`invalid port range ${JSON.stringify(spec)}: expected MIN-MAX`);
  return {
    min,
    max,
    size: max - min + 1,
    valueAt: (off) => String(min + off),
    offsetOf: (v) => {
      const n = Number(v);
      return Number.isInteger(n) && n >= min && n <= max ? n - min : undefined;
    },
  };
}
