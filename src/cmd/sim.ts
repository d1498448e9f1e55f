/**
 * `k8ts sim --nodes N`: N simulated nodes joining the cluster a kubeconfig
 * points at, until SIGTERM/SIGINT.
 */
import os from 'node:os';
import path from 'node:path';
import { RESTClient } from '../client/rest/rest-client.js';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { loadKubeconfigFile } from '../client/rest/kubeconfig.js';
import { cidrRange } from '../apiserver/registry/core/allocator.js';
import { realClock } from '../machinery/clock.js';
import { SimulatedNodes } from '../sim/simulated-nodes.js';
import { type FlagSpec, UsageError, formatUsage, parseFlags, loggerFlag } from './flags.js';
import { simNodeFlags, simNodeOptions } from './sim-flags.js';

const flags: FlagSpec[] = [
  { name: 'nodes', kind: 'int', usage: 'Number of simulated nodes', default: 1 },
  { name: 'kubeconfig', kind: 'string', usage: 'Kubeconfig of the cluster to join', env: 'KUBECONFIG' },
  { name: 'start-index', kind: 'int', usage: 'Index of the first node (several simulators can share a cluster)', default: 0 },
  { name: 'cluster-cidr', kind: 'string', usage: 'Pod network; each node gets the /24 at its index', default: '10.244.0.0/16' },
  ...simNodeFlags,
  { name: 'log-level', kind: 'string', usage: 'Log verbosity', default: 'info' },
  { name: 'help', aliases: ['h'], kind: 'bool', usage: 'show help', default: false },
];

export async function runSim(argv: string[]): Promise<number> {
  const { values, args } = parseFlags(flags, argv);
  if (values.help) {
    process.stdout.write(formatUsage('sim', 'Run simulated nodes', flags));
    return 0;
  }
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const count = Number(values.nodes);
  if (!(count >= 1)) throw new UsageError(`invalid value "${values.nodes}" for flag -nodes: must be at least 1`);
  const logger = loggerFlag(values);
  // The flags are checked before the kubeconfig is read: a mistake in them is reported first.
  const startIndex = Number(values['start-index']);
  if (startIndex < 0) throw new UsageError(`invalid value "${startIndex}" for flag -start-index: must be 0 or more`);
  const clusterCIDR = String(values['cluster-cidr']);
  try {
    cidrRange(clusterCIDR);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const options = simNodeOptions(values);
  const file = String(values.kubeconfig ?? path.join(os.homedir(), '.kube', 'config')).split(path.delimiter)[0]!;
  const kc = loadKubeconfigFile(file);
  if (kc.kind === 'error') {
    logger.error('cannot load kubeconfig', { file, err: kc.message });
    return 1;
  }
  const transport = new HTTP2Transport(kc.config);
  const sim = new SimulatedNodes({
    rest: new RESTClient(transport),
    clock: realClock,
    logger,
    count,
    startIndex,
    clusterCIDR,
    ...options,
  });
  const abort = new AbortController();
  process.once('SIGTERM', () => abort.abort());
  process.once('SIGINT', () => abort.abort());
  logger.info('running simulated nodes', { count, server: kc.config.server });
  await sim.run(abort.signal);
  transport.close();
  return 0;
}
