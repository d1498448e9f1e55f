/**
 * What the controller manager runs. A controller owns its informer handlers
 * and work queue; `run` starts `workers` reconcile loops and resolves once
 * `signal` aborts and every worker has finished its current key.
 */
import type { SharedInformerFactory } from '../../client/informers/shared-informer-factory.js';
import type { RESTClient } from '../../client/rest/rest-client.js';
import type { Clock } from '../../machinery/clock.js';
import type { Logger } from '../../machinery/log.js';
import type { ControllerConfig } from './controller-config.js';

export interface Controller {
  readonly name: string;
  run(signal: AbortSignal, workers: number): Promise<void>;
}

/** Everything a controller is built from; shared by all controllers of one manager. */
export interface ControllerContext {
  rest: RESTClient;
  informers: SharedInformerFactory;
  clock: Clock;
  logger: Logger;
  config: ControllerConfig;
}

/** One row of the manager's registry table. */
export interface ControllerDescriptor {
  name: string;
  init(ctx: ControllerContext): Controller;
}
