/**
 * How the API server reaches a node's kubelet: the Node's InternalIP (then
 * other addresses, as upstream's preferred address types) and
 * `status.daemonEndpoints.kubeletEndpoint.Port`, over TLS with the API
 * server's client certificate, the kubelet's serving certificate checked
 * against the cluster CA. Dial failures are worded as Go's net package
 * words them, since that is what kubectl users see from upstream.
 */
import tls from 'node:tls';
import type { KubeObject } from '../../machinery/meta/types.js';

export interface KubeletClientConfig {
  /** Client certificate the kubelets accept (the API server's identity towards nodes). */
  certPEM: string;
  keyPEM: string;
  /** CA that signs kubelet serving certificates (the cluster CA). */
  caPEM: string;
  /** How long to wait for a kubelet's TCP and TLS handshake. */
  dialTimeoutMs?: number;
}

export interface KubeletLocation {
  host: string;
  port: number;
  /** The node has no kubelet that could answer (a simulated node). */
  simulated: boolean;
}

/** Upstream's default kubelet port, used when a Node does not say. */
export const DEFAULT_KUBELET_PORT = 10250;

/** Nodes of `k8ts sim` carry this label; nothing listens on their addresses. */
const SIMULATED_NODE_LABEL = 'k8ts.io/simulated';

const ADDRESS_PREFERENCE = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];

export type LocationResult = { ok: true; location: KubeletLocation } | { ok: false; message: string };

export function kubeletLocation(node: Readonly<KubeObject>): LocationResult {
  const status = (node.status ?? {}) as { addresses?: { type?: string; address?: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addresses = status.addresses ?? [];
  let host: string | undefined;
  for (const t of ADDRESS_PREFERENCE) {
    host = addresses.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) return { ok: false, message: `no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type} ${a.address}}`).join(' ')}]` };
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
  const simulated = node.metadata.labels?.[SIMULATED_NODE_LABEL] === 'true';
  return { ok: true, location: { host, port, simulated } };
}

export function hostPort(loc: KubeletLocation): string {
  return loc.host.includes(':') ? `[${loc.host}]:${loc.port}` : `${loc.host}:${loc.port}`;
}

/** `dial tcp HOST:PORT: connect: connection refused` and its siblings. */
export function dialErrorText(loc: KubeletLocation, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `dial tcp ${hostPort(loc)}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `${where}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${where}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${where}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `${where}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${hostPort(loc)}: read: connection reset by peer`;
    default:
      return `${where}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export type DialResult = { ok: true; socket: tls.TLSSocket } | { ok: false; message: string };

/** A TLS connection to the kubelet, or the dial error's text. */
export function dialKubelet(loc: KubeletLocation, client: KubeletClientConfig): Promise<DialResult> {
  if (loc.simulated) {
    const err = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    return Promise.resolve({ ok: false, message: dialErrorText(loc, err) });
  }
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: loc.host,
      port: loc.port,
      cert: client.certPEM,
      key: client.keyPEM,
      ca: client.caPEM,
      // Kubelets are dialled by address: their serving certificate must carry it as an IP SAN.
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => fail(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), client.dialTimeoutMs ?? 10_000);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      const code = (err as NodeJS.ErrnoException).code ?? '';
      resolve({ ok: false, message: NETWORK_ERRORS.has(code) ? dialErrorText(loc, err) : `tls: ${(err as Error).message}` });
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve({ ok: true, socket });
    });
  });
}
