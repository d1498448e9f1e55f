/** A probe's port: a number, a container port name, or a number written as a string. */
import type { ContainerT } from '../../api/core/v1/types.js';

export type PortResult = { ok: true; port: number } | { ok: false; message: string };

export function resolveProbePort(port: string | number | undefined, container: Pick<ContainerT, 'ports'>): PortResult {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const s = port ?? '';
    const named = (container.ports ?? []).find((p) => p.name === s);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(s)) n = Number(s);
    else return { ok: false, message: `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` };
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return { ok: true, port: n };
  return { ok: false, message: `invalid port number: ${n}` };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's time.Duration text for whole and fractional seconds ("1s", "1.5s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${ms / 1000}s`;
}
