/**
 * IPv4 addresses as unsigned 32-bit numbers, so CIDR arithmetic (masking,
 * offsets, subnet indices) is plain integer arithmetic.
 */

export interface IPv4CIDR {
  /** The network address, host bits cleared. */
  base: number;
  prefix: number;
}

/** Dotted quad to number; undefined unless exactly four decimal octets of at most 255. */
export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The network mask of a prefix length; `<<` by 32 is a no-op in JavaScript, hence the /0 case. */
export function ipv4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `ip` with its host bits cleared. */
export function maskIPv4(ip: number, prefix: number): number {
  return (ip & ipv4Mask(prefix)) >>> 0;
}

/** Parses `a.b.c.d/n` (n at most 32); the base is masked, so `10.0.0.5/24` is `10.0.0.0/24`. */
export function parseIPv4CIDR(cidr: string): IPv4CIDR | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const base = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  return { base: maskIPv4(base, prefix), prefix };
}
