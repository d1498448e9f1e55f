/**
 * Integration-test environments for components that talk to the API: an
 * in-process API server, a RESTClient over HTTP/2 and, for controllers, a
 * running ControllerManager. `stop()` tears all of it down in order.
 */
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { parseKubeconfig } from '../client/rest/kubeconfig.js';
import { RESTClient } from '../client/rest/rest-client.js';
import type { ControllerConfig } from '../controllers/framework/controller-config.js';
import type { ControllerDescriptor } from '../controllers/framework/controller.js';
import { ControllerManager } from '../controllers/manager.js';
import { realClock } from '../machinery/clock.js';
import { silentLogger } from '../machinery/log.js';
import { type TestAPIServer, startTestAPIServer } from './api-server.js';

/**
 * Polls `fn` every 50ms until it returns something other than undefined.
 * Errors count as "not yet" (the object may not exist yet); the last one is
 * named in the timeout message.
 */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface ClientEnv {
  srv: TestAPIServer;
  rest: RESTClient;
  stop(): Promise<void>;
}

/** An API server and an admin RESTClient connected to it. */
export async function startClientEnv(): Promise<ClientEnv> {
  const srv = await startTestAPIServer();
  const loaded = parseKubeconfig(srv.kubeconfig);
  if (loaded.kind !== 'ok') {
    await srv.stop();
    throw new Error('the test API server wrote an unreadable kubeconfig');
  }
  const transport = new HTTP2Transport(loaded.config);
  return {
    srv,
    rest: new RESTClient(transport),
    async stop() {
      transport.close();
      await srv.stop();
    },
  };
}

export interface ControllerEnvOptions {
  controllers: readonly ControllerDescriptor[];
  /** A function when the config depends on the server, e.g. its CA. */
  config?: ControllerConfig | ((srv: TestAPIServer) => ControllerConfig);
  /** Lease holder identity of the manager. */
  identity?: string;
  /** Runs against the API before the manager starts, e.g. to create nodes. */
  prepare?: (rest: RESTClient) => Promise<void>;
}

/**
 * A client environment plus a ControllerManager running `controllers`, with
 * short leader-election periods so the manager leads within a second.
 */
export async function startControllerEnv(opts: ControllerEnvOptions): Promise<ClientEnv> {
  const env = await startClientEnv();
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  try {
    await opts.prepare?.(env.rest);
    const manager = new ControllerManager({
      rest: env.rest,
      clock: realClock,
      logger: silentLogger,
      identity: opts.identity ?? 'test-manager',
      controllers: opts.controllers,
      config: typeof opts.config === 'function' ? opts.config(env.srv) : opts.config,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
    });
    running = manager.run(abort.signal);
  } catch (err) {
    await env.stop();
    throw err;
  }
  return {
    srv: env.srv,
    rest: env.rest,
    async stop() {
      abort.abort();
      await running;
      await env.stop();
    },
  };
}
