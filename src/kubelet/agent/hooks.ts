/**
 * Runs a container's postStart or preStop handler. A failure is a message
 * (with upstream's wording), not an exception: the caller decides whether it
 * kills the container.
 */
import type { ContainerT, LifecycleHandlerT, PodT } from '../../api/core/v1/types.js';
import type { Clock } from '../../machinery/clock.js';
import type { RuntimeService } from '../runtime/interface.js';
import { formatPod } from './runtime-config.js';

export interface HookContext {
  runtime: RuntimeService;
  clock: Clock;
  podIP?: string;
  /** Bounds exec and HTTP handlers (the remaining grace period for preStop). */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Resolves a named or numeric port against the container's ports. */
export function resolvePort(port: unknown, c: ContainerT): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return Number(port);
    return c.ports?.find((p) => p.name === port)?.containerPort;
  }
  return undefined;
}

/** Undefined on success, else the failure message. */
export async function runHook(handler: LifecycleHandlerT, pod: PodT, c: ContainerT, containerId: string, ctx: HookContext): Promise<string | undefined> {
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    try {
      const r = await ctx.runtime.execSync(containerId, cmd, ctx.timeoutMs);
      if (r.exitCode === 0 && !r.timedOut) return undefined;
      const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      const err = r.timedOut ? `command '${cmd.join(' ')}' timed out` : `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${output}`;
      return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${c.name}" in Pod "${formatPod(pod)}" failed - error: ${err}, message: ${JSON.stringify(output)}`;
    } catch (err) {
      return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container "${c.name}" in Pod "${formatPod(pod)}" failed - error: ${(err as Error).message}, message: ""`;
    }
  }
  if (handler.httpGet) {
    const h = handler.httpGet;
    const port = resolvePort(h.port, c);
    const host = h.host || ctx.podIP || '127.0.0.1';
    const url = `${(h.scheme ?? 'HTTP').toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${h.path?.startsWith('/') ? h.path : `/${h.path ?? ''}`}`;
    try {
      const headers = Object.fromEntries((h.httpHeaders ?? []).map((x) => [x.name, x.value]));
      const signal = AbortSignal.any([AbortSignal.timeout(ctx.timeoutMs), ...(ctx.signal ? [ctx.signal] : [])]);
      const res = await fetch(url, { headers, signal });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 400) return undefined;
      return `HTTP lifecycle hook (${h.path ?? ''}) for Container "${c.name}" in Pod "${formatPod(pod)}" failed - error: HTTP lifecycle hook failed with statuscode: ${res.status}, message: ""`;
    } catch (err) {
      return `HTTP lifecycle hook (${h.path ?? ''}) for Container "${c.name}" in Pod "${formatPod(pod)}" failed - error: ${(err as Error).message}, message: ""`;
    }
  }
  if (handler.sleep) {
    try {
      await ctx.clock.sleep(Math.min(handler.sleep.seconds * 1000, ctx.timeoutMs), ctx.signal);
    } catch {
      // Cut short by the grace period: that is how a sleep hook ends early.
    }
    return undefined;
  }
  return undefined;
}
