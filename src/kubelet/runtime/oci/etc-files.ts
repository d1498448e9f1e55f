/**
 * The per-pod /etc files every container of the sandbox bind-mounts: hosts
 * in kubelet's managed layout, resolv.conf from the pod's DNS config, and
 * hostname.
 */
import type { DNSConfig } from '../interface.js';

export interface HostsInput {
  hostname: string;
  /** The pod IP; absent with host networking. */
  podIP?: string;
  hostAliases?: { ip: string; hostnames: string[] }[];
}

export function hostsFile(inp: HostsInput): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (inp.podIP) lines.push(`${inp.podIP}\t${inp.hostname}`);
  const aliases = (inp.hostAliases ?? []).filter((a) => a.hostnames.length > 0);
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return lines.join('\n') + '\n';
}

/** Without a DNS config the host's resolv.conf applies (dnsPolicy Default). */
export function resolvConf(dns: DNSConfig | undefined, hostResolvConf: string): string {
  if (!dns) return hostResolvConf.endsWith('\n') || hostResolvConf === '' ? hostResolvConf : hostResolvConf + '\n';
  const lines: string[] = [];
  if (dns.searches.length > 0) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options.length > 0) lines.push(`options ${dns.options.join(' ')}`);
  return lines.join('\n') + '\n';
}
