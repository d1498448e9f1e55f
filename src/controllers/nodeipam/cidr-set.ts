/**
 * The pod-CIDR table of the node IPAM controller: the cluster CIDR cut into
 * equal subnets (a /24 per node by default), each free or taken. It holds no
 * state of its own beyond memory: after a restart it is rebuilt from the
 * podCIDRs the nodes already carry, which is what makes allocations durable.
 */

export type CIDRSetResult = { ok: true; set: CIDRSet } | { ok: false; message: string };

interface IPv4Range {
  base: number;
  prefix: number;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses an IPv4 CIDR; the base is masked to the prefix (`10.0.0.5/24` is `10.0.0.0/24`). */
export function parseIPv4CIDR(cidr: string): IPv4Range | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const base = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  return { base: maskOf(base, prefix), prefix };
}

function maskOf(ip: number, prefix: number): number {
  return prefix === 0 ? 0 : (ip & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
}

export class CIDRSet {
  /** How many subnets the cluster CIDR holds. */
  readonly size: number;
  private readonly used: Uint8Array;
  private usedCount = 0;
  /** Where the next search starts, so freed subnets are not handed out again at once. */
  private next = 0;

  private constructor(
    private readonly cluster: IPv4Range,
    readonly maskSize: number,
  ) {
    this.size = 2 ** (maskSize - cluster.prefix);
    this.used = new Uint8Array(this.size);
  }

  /**
   * A table of `/maskSize` subnets of `clusterCIDR`. Upstream refuses a mask
   * more than 16 bits longer than the cluster prefix (65536 subnets); so do we.
   */
  static create(clusterCIDR: string, maskSize: number): CIDRSetResult {
    const cluster = parseIPv4CIDR(clusterCIDR);
    if (!cluster) return { ok: false, message: `invalid cluster CIDR "${clusterCIDR}": only IPv4 CIDRs are supported` };
    if (!Number.isInteger(maskSize) || maskSize < cluster.prefix || maskSize > 32) {
      return { ok: false, message: `node CIDR mask size ${maskSize} must be between the cluster CIDR's prefix (${cluster.prefix}) and 32` };
    }
    if (maskSize - cluster.prefix > 16) return { ok: false, message: 'CIDRSet max size exceeded: the node CIDR mask size may be at most 16 bits longer than the cluster CIDR prefix' };
    return { ok: true, set: new CIDRSet(cluster, maskSize) };
  }

  get free(): number {
    return this.size - this.usedCount;
  }

  private cidrAt(index: number): string {
    return `${formatIPv4((this.cluster.base + index * 2 ** (32 - this.maskSize)) >>> 0)}/${this.maskSize}`;
  }

  /** The subnet indexes `cidr` overlaps; empty when it lies outside the cluster CIDR or is malformed. */
  private indexesOf(cidr: string): number[] {
    const r = parseIPv4CIDR(cidr);
    if (!r) return [];
    const first = r.base;
    const last = r.base + 2 ** (32 - r.prefix) - 1;
    const clusterLast = this.cluster.base + 2 ** (32 - this.cluster.prefix) - 1;
    const lo = Math.max(first, this.cluster.base);
    const hi = Math.min(last, clusterLast);
    if (lo > hi) return [];
    const step = 2 ** (32 - this.maskSize);
    const out: number[] = [];
    for (let i = Math.floor((lo - this.cluster.base) / step); i <= Math.floor((hi - this.cluster.base) / step); i++) out.push(i);
    return out;
  }

  /** Marks every subnet `cidr` overlaps as taken (a node's existing podCIDR); false when it overlaps none. */
  occupy(cidr: string): boolean {
    const idx = this.indexesOf(cidr);
    for (const i of idx) this.mark(i, true);
    return idx.length > 0;
  }

  /** Frees every subnet `cidr` overlaps. */
  release(cidr: string): void {
    for (const i of this.indexesOf(cidr)) this.mark(i, false);
  }

  isTaken(cidr: string): boolean {
    const idx = this.indexesOf(cidr);
    return idx.length > 0 && idx.every((i) => this.used[i] === 1);
  }

  /** The next free subnet, now taken; undefined when the range is exhausted. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.size; k++) {
      const i = (this.next + k) % this.size;
      if (this.used[i]) continue;
      this.mark(i, true);
      this.next = (i + 1) % this.size;
      return this.cidrAt(i);
    }
    return undefined;
  }

  private mark(i: number, taken: boolean): void {
    const was = this.used[i] === 1;
    if (was === taken) return;
    this.used[i] = taken ? 1 : 0;
    this.usedCount += taken ? 1 : -1;
  }
}
