/**
 * IPv4 arithmetic for handing each simulated node a /24 of the cluster CIDR
 * and each pod an address inside its node's /24.
 */

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

export interface IPv4CIDR {
  base: number;
  prefix: number;
}

export function parseCIDR(cidr: string): IPv4CIDR | undefined {
  const [ip, bits] = cidr.split('/');
  const base = parseIPv4(ip ?? '');
  const prefix = Number(bits);
  if (base === undefined || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (base & mask) >>> 0, prefix };
}

/** The `index`-th /24 of `clusterCIDR`; undefined when the range is exhausted or malformed. */
export function podCIDRFor(clusterCIDR: string, index: number): string | undefined {
  const c = parseCIDR(clusterCIDR);
  if (!c || c.prefix > 24 || index < 0) return undefined;
  if (index >= 2 ** (24 - c.prefix)) return undefined;
  return `${formatIPv4((c.base + index * 256) >>> 0)}/24`;
}

/** The `offset`-th address of a CIDR (offset 1 is the first usable one of a /24). */
export function addressIn(cidr: string, offset: number): string | undefined {
  const c = parseCIDR(cidr);
  if (!c || offset < 0 || offset >= 2 ** (32 - c.prefix)) return undefined;
  return formatIPv4((c.base + offset) >>> 0);
}
