/**
 * The resolver configuration of a pod from its dnsPolicy and dnsConfig, as
 * kubelet computes it: ClusterFirst uses the cluster DNS with the namespace
 * search path and ndots:5, Default the node's resolver, None only dnsConfig.
 */
import type { PodT } from '../../api/core/v1/types.js';
import type { DNSConfig } from '../runtime/interface.js';

export const MAX_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;

export interface DNSSettings {
  /** Cluster DNS servers (`--cluster-dns`); ClusterFirst falls back to Default without them. */
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's own resolver (parsed /etc/resolv.conf). */
  host: DNSConfig;
}

/** Reads resolv.conf text. */
export function parseResolvConf(text: string): DNSConfig {
  const cfg: DNSConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...vals] = line.split(/\s+/);
    if (key === 'nameserver' && vals[0]) cfg.servers.push(vals[0]);
    else if (key === 'search' || key === 'domain') cfg.searches = vals.filter(Boolean);
    else if (key === 'options') cfg.options.push(...vals.filter(Boolean));
  }
  return cfg;
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** Options merge by name: a later `ndots:2` replaces an earlier `ndots:5`. */
function mergeOptions(base: string[], extra: string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...base, ...extra]) byName.set(o.split(':')[0]!, o);
  return [...byName.values()];
}

export type DNSPolicyResult = { config: DNSConfig; warning?: string };

export function podDNSConfig(pod: PodT, s: DNSSettings): DNSPolicyResult {
  const spec = pod.spec ?? { containers: [] };
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  let warning: string | undefined;
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && !s.clusterDNS.length) {
    warning = 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';
    policy = 'Default';
  }
  let cfg: DNSConfig;
  switch (policy) {
    case 'None':
      cfg = { servers: [], searches: [], options: [] };
      break;
    case 'ClusterFirst': {
      const ns = pod.metadata?.namespace ?? 'default';
      const d = s.clusterDomain;
      cfg = { servers: [...s.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...s.host.searches], options: ['ndots:5'] };
      break;
    }
    default:
      cfg = { servers: [...s.host.servers], searches: [...s.host.searches], options: [...s.host.options] };
  }
  const extra = spec.dnsConfig;
  if (extra) {
    cfg.servers = uniq([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = uniq([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, (extra.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '')).filter(Boolean));
  }
  cfg.servers = cfg.servers.slice(0, MAX_NAMESERVERS);
  cfg.searches = uniq(cfg.searches).slice(0, MAX_DNS_SEARCH_PATHS);
  return warning ? { config: cfg, warning } : { config: cfg };
}
