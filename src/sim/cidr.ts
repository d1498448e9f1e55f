/**
 * IPv4 arithmetic for handing each simulated node a /24 of the cluster CIDR
 * and each pod an address inside its node's /24.
 */
import { formatIPv4, parseIPv4CIDR } from '../machinery/net/ipv4.js';

/** The `index`-th /24 of `clusterCIDR`; undefined when the range is exhausted or malformed. */
export function podCIDRFor(clusterCIDR: string, index: number): string | undefined {
  const c = parseIPv4CIDR(clusterCIDR);
  if (!c || c.prefix > 24 || index < 0) return undefined;
  if (index >= 2 ** (24 - c.prefix)) return undefined;
  return `${formatIPv4((c.base + index * 256) >>> 0)}/24`;
}

/** The `offset`-th address of a CIDR (offset 1 is the first usable one of a /24). */
export function addressIn(cidr: string, offset: number): string | undefined {
  const c = parseIPv4CIDR(cidr);
  if (!c || offset < 0 || offset >= 2 ** (32 - c.prefix)) return undefined;
  return formatIPv4((c.base + offset) >>> 0);
}
