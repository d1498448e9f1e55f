/**
 * The pod-CIDR table of the node IPAM controller: the cluster CIDR cut into
 * equal subnets (a /24 per node by default), each free or taken. It holds no
 * state of its own beyond memory: after a restart it is rebuilt from the
 * podCIDRs the nodes already carry, which is what makes allocations durable.
 */
import { type IPv4CIDR, formatIPv4, parseIPv4CIDR } from '../../machinery/net/ipv4.js';

export type CIDRSetResult = { ok: true; set: CIDRSet } | { ok: false; message: string };

export class CIDRSet {
  /** How many subnets the cluster CIDR holds. */
  readonly size: number;
  private readonly used: Uint8Array;
  private usedCount = 0;
  /** Where the next search starts, so freed subnets are not handed out again at once. */
  private next = 0;

  private constructor(
    private readonly cluster: IPv4CIDR,
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
    const cluster = parseIPv4CIDR(clusterCIDR.trim());
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
    const r = parseIPv4CIDR(cidr.trim());
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
