/**
 * Pod addresses from the node's podCIDR, persisted in the state directory so
 * a restarted agent hands out no address twice. The gateway (.1) lives on
 * the bridge; allocation continues after the last handed-out address so a
 * released one is not reused at once (stale ARP and conntrack entries).
 */
import { readJsonFile, writeJsonFile } from './json-file.js';

export interface Cidr {
  /** The network address as a 32-bit number. */
  network: number;
  prefix: number;
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 8 || prefix > 30) return undefined;
  const ip = ipToNumber(octets.join('.'))!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (ip & mask) >>> 0, prefix };
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d+$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function gatewayOf(c: Cidr): string {
  return numberToIp(c.network + 1);
}

interface IpamFile {
  cidr: string;
  last?: string;
  /** ip -> owner (sandbox id). */
  allocated: Record<string, string>;
}

export type AllocateResult = { ok: true; ip: string } | { ok: false; reason: 'Exhausted' };

export class Ipam {
  private readonly cidr: Cidr;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cidrText: string,
  ) {
    const c = parseCidr(cidrText);
    if (!c) throw new Error(`invalid pod CIDR ${JSON.stringify(cidrText)}`);
    this.cidr = c;
  }

  /** Returns the owner's existing address when it already has one. */
  allocate(owner: string): Promise<AllocateResult> {
    return this.locked(() => {
      const f = this.read();
      const mine = Object.entries(f.allocated).find(([, o]) => o === owner);
      if (mine) return { ok: true, ip: mine[0] };
      const first = this.cidr.network + 2;
      const size = 2 ** (32 - this.cidr.prefix);
      const lastUsable = this.cidr.network + size - 2;
      const count = lastUsable - first + 1;
      const last = f.last ? ipToNumber(f.last) : undefined;
      const start = last !== undefined && last >= first && last <= lastUsable ? last + 1 : first;
      for (let i = 0; i < count; i++) {
        const n = first + ((start - first + i) % count);
        const ip = numberToIp(n);
        if (f.allocated[ip] === undefined) {
          f.allocated[ip] = owner;
          f.last = ip;
          this.write(f);
          return { ok: true, ip };
        }
      }
      return { ok: false, reason: 'Exhausted' };
    });
  }

  /** Frees whatever the owner holds; idempotent. */
  release(owner: string): Promise<void> {
    return this.locked(() => {
      const f = this.read();
      let changed = false;
      for (const [ip, o] of Object.entries(f.allocated)) {
        if (o === owner) {
          delete f.allocated[ip];
          changed = true;
        }
      }
      if (changed) this.write(f);
    });
  }

  allocated(): Record<string, string> {
    return { ...this.read().allocated };
  }

  private locked<T>(fn: () => T): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  private read(): IpamFile {
    const f = readJsonFile<IpamFile>(this.file);
    if (!f) return { cidr: this.cidrText, allocated: {} };
    // A changed podCIDR invalidates the old allocations' meaning but not their owners; keep only addresses inside the range.
    if (f.cidr !== this.cidrText) {
      const kept: Record<string, string> = {};
      for (const [ip, o] of Object.entries(f.allocated)) {
        const n = ipToNumber(ip);
        if (n !== undefined && n >>> (32 - this.cidr.prefix) === this.cidr.network >>> (32 - this.cidr.prefix)) kept[ip] = o;
      }
      return { cidr: this.cidrText, allocated: kept };
    }
    return f;
  }

  private write(f: IpamFile): void {
    writeJsonFile(this.file, f);
  }
}
