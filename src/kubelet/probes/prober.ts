/**
 * One probe attempt of any kind (httpGet, tcpSocket, exec, grpc) against a
 * container, with the probe's timeout. Never throws: a probe that cannot
 * run is an `Unknown` outcome.
 */
import type { ContainerT, PodT, ProbeT } from '../../api/core/v1/types.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe } from './http-probe.js';
import { resolveProbePort } from './port.js';
import { tcpProbe } from './tcp-probe.js';
import type { ProbeContext, ProbeOutcome } from './types.js';

export interface ProberOptions {
  /** `kube-probe/<major>.<minor>` of the cluster version. */
  userAgent?: string;
}

export const DEFAULT_PROBE_USER_AGENT = 'kube-probe/1.35';

export class Prober {
  private readonly userAgent: string;

  constructor(opts: ProberOptions = {}) {
    this.userAgent = opts.userAgent ?? DEFAULT_PROBE_USER_AGENT;
  }

  async probe(_pod: PodT, container: ContainerT, probe: ProbeT, ctx: ProbeContext): Promise<ProbeOutcome> {
    const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
    try {
      if (probe.exec) {
        const cmd = probe.exec.command ?? [];
        const out = await ctx.exec(cmd, timeoutMs);
        if (out.timedOut) return { result: 'Failure', message: `command ${JSON.stringify(cmd.join(' '))} timed out` };
        const text = Buffer.concat([Buffer.from(out.stdout), Buffer.from(out.stderr)]).toString('utf8');
        return { result: out.exitCode === 0 ? 'Success' : 'Failure', message: text };
      }
      if (probe.httpGet) {
        const a = probe.httpGet;
        const port = resolveProbePort(a.port, container);
        if (!port.ok) return { result: 'Unknown', message: port.message };
        return await httpProbe({
          scheme: a.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
          host: a.host || ctx.podIP,
          port: port.port,
          path: a.path ?? '',
          headers: a.httpHeaders ?? [],
          timeoutMs,
          userAgent: this.userAgent,
        });
      }
      if (probe.tcpSocket) {
        const port = resolveProbePort(probe.tcpSocket.port, container);
        if (!port.ok) return { result: 'Unknown', message: port.message };
        return await tcpProbe(probe.tcpSocket.host || ctx.podIP, port.port, timeoutMs);
      }
      if (probe.grpc) {
        const port = resolveProbePort(probe.grpc.port, container);
        if (!port.ok) return { result: 'Unknown', message: port.message };
        return await grpcProbe(ctx.podIP, port.port, probe.grpc.service ?? '', timeoutMs, this.userAgent);
      }
      return { result: 'Unknown', message: 'missing probe handler' };
    } catch (err) {
      return { result: 'Unknown', message: err instanceof Error ? err.message : String(err) };
    }
  }
}
