/**
 * The Docker-link style variables every container gets for the services it
 * could reach (`REDIS_SERVICE_HOST`, `REDIS_PORT_6379_TCP_ADDR`...): the
 * API server's `kubernetes` service always, the pod's own namespace's
 * services when `enableServiceLinks` is on (the default).
 */
import type { ServiceT } from '../../api/core/v1/types.js';
import type { KeyValue } from '../runtime/interface.js';

function envName(s: string): string {
  return s.replaceAll('-', '_').toUpperCase();
}

function hasClusterIP(svc: ServiceT): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables for services already selected for a pod, in a stable order. */
export function envVarsForServices(services: readonly ServiceT[]): KeyValue[] {
  const out: KeyValue[] = [];
  const sorted = [...services].filter(hasClusterIP).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const svc of sorted) {
    const ports = svc.spec?.ports ?? [];
    if (!ports.length) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = envName(svc.metadata?.name ?? '');
    out.push({ key: `${prefix}_SERVICE_HOST`, value: ip });
    out.push({ key: `${prefix}_SERVICE_PORT`, value: String(ports[0]!.port) });
    for (const p of ports) if (p.name) out.push({ key: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.push({ key: `${prefix}_PORT`, value: url });
      const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ key: portPrefix, value: url });
      out.push({ key: `${portPrefix}_PROTO`, value: proto });
      out.push({ key: `${portPrefix}_PORT`, value: String(p.port) });
      out.push({ key: `${portPrefix}_ADDR`, value: ip });
    });
  }
  return out;
}

const MASTER_SERVICES = new Set(['kubernetes']);

/**
 * Picks the services a pod in `namespace` sees from a list of services of
 * any namespace and renders their variables.
 */
export function serviceEnvForPod(services: readonly ServiceT[], opts: { namespace: string; enableServiceLinks?: boolean }): KeyValue[] {
  const enable = opts.enableServiceLinks ?? true;
  const chosen = new Map<string, ServiceT>();
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? '';
    if (ns === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (ns === opts.namespace && enable) {
      chosen.set(name, svc);
    }
  }
  return envVarsForServices([...chosen.values()]);
}
