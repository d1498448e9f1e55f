/**
 * kube-controller-manager: runs every registered controller, but only while
 * holding the `kube-system/kube-controller-manager` Lease, so several
 * servers can run side by side with one active set of controllers.
 */
import { LeaderElector, type Lease } from '../client/leaderelection/leader-elector.js';
import { SharedInformerFactory } from '../client/informers/shared-informer-factory.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { RESTClient } from '../client/rest/rest-client.js';
import type { Clock } from '../machinery/clock.js';
import type { Logger } from '../machinery/log.js';
import type { ControllerDescriptor } from './framework/controller.js';
import { type ControllerConfig, controllerEnabled, defaultControllerConfig } from './framework/controller-config.js';

export interface ControllerManagerOptions {
  rest: RESTClient;
  clock: Clock;
  logger: Logger;
  controllers: readonly ControllerDescriptor[];
  config?: ControllerConfig;
  /** Lease holder identity; unique per process. */
  identity: string;
  /** Workers per controller (upstream's --concurrent-*-syncs, default 5). */
  workers?: number;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export const CONTROLLER_MANAGER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };

export class ControllerManager {
  private leading = false;

  constructor(private readonly opts: ControllerManagerOptions) {}

  isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns and leads until `signal` aborts; resolves after everything stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const { opts } = this;
    const elector = new LeaderElector({
      leases: new ResourceClient<Lease>(opts.rest, { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, CONTROLLER_MANAGER_LEASE.namespace),
      name: CONTROLLER_MANAGER_LEASE.name,
      namespace: CONTROLLER_MANAGER_LEASE.namespace,
      identity: opts.identity,
      clock: opts.clock,
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      callbacks: {
        onStartedLeading: (leadership) => this.lead(leadership),
        onStoppedLeading: () => opts.logger.info('leadership lost', { identity: opts.identity }),
      },
      onError: (err) => opts.logger.warn('leader election', { err }),
    });
    await elector.run(signal);
  }

  /** Fresh informers per term: a new leader must not act on a cache from an earlier term. */
  private async lead(signal: AbortSignal): Promise<void> {
    const { opts } = this;
    this.leading = true;
    try {
      const informers = new SharedInformerFactory({
        source: opts.rest,
        clock: opts.clock,
        onError: (gvr, err) => opts.logger.debug('informer', { resource: gvr.resource, err }),
      });
      const config = opts.config ?? defaultControllerConfig;
      const ctx = { rest: opts.rest, informers, clock: opts.clock, logger: opts.logger, config };
      const controllers = opts.controllers.filter((d) => controllerEnabled(d.name, config.controllers)).map((d) => d.init({ ...ctx, logger: opts.logger.with({ controller: d.name }) }));
      informers.start(signal);
      await Promise.all(controllers.map((c) => c.run(signal, opts.workers ?? 5)));
      await informers.shutdown();
    } finally {
      this.leading = false;
    }
  }
}
