/**
 * The command line of `k8ts server` (k3s flag names), checked before any of
 * the server's code loads: a value that does not parse is incorrect usage, a
 * file that cannot be read or parsed is logged, and either way nothing is
 * created and the answer comes at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TokenFileAuthenticator } from '../apiserver/authn/token-file-authenticator.js';
import type { TokenAuthenticator } from '../apiserver/authn/types.js';
import { parseNodeToken } from '../apiserver/authn/node-token.js';
import { cidrRange, portRange } from '../apiserver/registry/core/allocator.js';
import { type ControllerConfig, defaultControllerConfig, parseControllerArgs } from '../controllers/framework/controller-config.js';
import { type Taint, parseNodeLabels, parseNodeTaints } from '../kubelet/node/node-flags.js';
import type { Logger } from '../machinery/log.js';
import type { KubeSchedulerConfiguration } from '../scheduler/config.js';
import { parseEndpoint } from '../storage/factory.js';
import { type FlagSpec, type FlagValues, UsageError, formatUsage, ipFlag, parseFlags, portFlag, loggerFlag } from './flags.js';
import { simNodeFlags, simNodeOptions } from './sim-flags.js';
import { defaultDataDir } from './data-dir.js';

export const serverFlags: FlagSpec[] = [
  { name: 'data-dir', aliases: ['d'], kind: 'string', usage: 'Folder to hold state', env: 'K8TS_DATA_DIR' },
  { name: 'https-listen-port', kind: 'int', usage: 'HTTPS listen port', default: 6443 },
  { name: 'bind-address', kind: 'string', usage: 'k8ts bind address', default: '0.0.0.0' },
  { name: 'advertise-address', kind: 'string', usage: 'IP address that the apiserver uses to advertise to members of the cluster (default: node-external-ip/node-ip)' },
  { name: 'tls-san', kind: 'strings', usage: 'Add additional hostnames or IPv4/IPv6 addresses as Subject Alternative Names on the server TLS cert', default: [] },
  { name: 'write-kubeconfig', aliases: ['o'], kind: 'string', usage: "Write kubeconfig for admin client to this file", env: 'K8TS_KUBECONFIG_OUTPUT' },
  { name: 'datastore-endpoint', kind: 'string', usage: 'Specify etcd (http(s)://host:2379,...), sqlite (default) or memory', default: 'sqlite', env: 'K8TS_DATASTORE_ENDPOINT' },
  { name: 'datastore-cafile', kind: 'string', usage: 'TLS Certificate Authority file used to secure datastore backend communication' },
  { name: 'datastore-certfile', kind: 'string', usage: 'TLS certification file used to secure datastore backend communication' },
  { name: 'datastore-keyfile', kind: 'string', usage: 'TLS key file used to secure datastore backend communication' },
  { name: 'service-cidr', kind: 'string', usage: 'IPv4 network CIDR to use for service IPs', default: '10.96.0.0/12' },
  { name: 'cluster-cidr', kind: 'string', usage: 'IPv4 network CIDR to use for pod IPs', default: '10.244.0.0/16' },
  { name: 'service-node-port-range', kind: 'string', usage: 'Port range to reserve for services with NodePort visibility', default: '30000-32767' },
  { name: 'disable-agent', kind: 'bool', usage: 'Do not run a local agent and register a local kubelet', default: false },
  { name: 'token', aliases: ['t'], kind: 'string', usage: 'Shared secret used to join agents to the cluster (default: generated, stored in <data-dir>/node-token)', env: 'K8TS_TOKEN' },
  { name: 'node-name', kind: 'string', usage: 'Node name of the local agent', env: 'K8TS_NODE_NAME' },
  { name: 'node-ip', kind: 'string', usage: 'IPv4 address the local agent advertises for its node' },
  { name: 'container-runtime-endpoint', kind: 'string', usage: 'Runtime of the local agent: oci (built-in, needs root and runc), sim, or a CRI socket' },
  { name: 'kubelet-port', kind: 'int', usage: 'Port of the local agent\'s HTTPS endpoint', default: 10250 },
  { name: 'cluster-dns', kind: 'string', usage: 'Cluster DNS server IP for pods of the local agent' },
  { name: 'token-auth-file', kind: 'string', usage: 'Static bearer tokens in the upstream CSV format: token,user,uid,"group1,group2"' },
  { name: 'log-level', kind: 'string', usage: 'Log verbosity: error, warn, info, debug, trace', default: 'info', env: 'K8TS_LOG_LEVEL' },
  { name: 'disable-scheduler', kind: 'bool', usage: 'Disable the scheduler', default: false },
  { name: 'disable-controller-manager', kind: 'bool', usage: 'Disable the controller manager', default: false },
  { name: 'scheduler-config', kind: 'string', usage: 'KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file: profiles, plugins, weights' },
  { name: 'kube-controller-manager-arg', kind: 'strings', usage: 'Customized flag for kube-controller-manager process (key=value, e.g. node-monitor-grace-period=20s)', default: [] },
  { name: 'default-local-storage-path', kind: 'string', usage: 'Default local storage path for the local-path provisioner (default: <data-dir>/storage)' },
  { name: 'sim-nodes', kind: 'int', usage: 'Run this many simulated nodes in the server process', default: 0 },
  ...simNodeFlags,
  { name: 'help', aliases: ['h'], kind: 'bool', usage: 'show help', default: false },
];

/** A command line that passed every check, with what the checks produced. */
export interface ServerOptions {
  values: FlagValues;
  logger: Logger;
  dataDir: string;
  port: number;
  bindAddress: string;
  serviceCIDR: string;
  firstServiceIP: string;
  simNodes: number;
  /** Present when `--sim-nodes` is above 0. */
  simOptions?: ReturnType<typeof simNodeOptions>;
  /** The local agent's `--node-label`s and `--node-taint`s (none with `--disable-agent`). */
  agentLabels: Record<string, string>;
  agentTaints: Taint[];
  /** From `--kube-controller-manager-arg`, before the cluster's CA and CIDR are added. */
  controllerConfig: ControllerConfig;
  /** `--token-auth-file`, loaded. */
  tokenAuthenticators: TokenAuthenticator[];
  schedulerConfig?: KubeSchedulerConfiguration;
}

/** The checked options, or the exit code when the server is not to start (`--help`, or a file it cannot use). */
export async function serverOptions(argv: string[]): Promise<ServerOptions | number> {
  const { values, args } = parseFlags(serverFlags, argv);
  if (values.help) {
    process.stdout.write(formatUsage('server', 'Run management server', serverFlags));
    return 0;
  }
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const logger = loggerFlag(values);
  const dataDir = path.resolve(String(values['data-dir'] ?? defaultDataDir()));

  const port = portFlag(values, 'https-listen-port');
  portFlag(values, 'kubelet-port');
  const bindAddress = ipFlag(values, 'bind-address')!;
  ipFlag(values, 'advertise-address');
  ipFlag(values, 'node-ip');
  ipFlag(values, 'cluster-dns');
  const serviceCIDR = String(values['service-cidr']);
  let firstServiceIP: string;
  try {
    firstServiceIP = cidrRange(serviceCIDR).first;
    cidrRange(String(values['cluster-cidr']));
    portRange(String(values['service-node-port-range']));
    parseEndpoint(String(values['datastore-endpoint']), dataDir);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.token) {
    const t = parseNodeToken(String(values.token));
    if (!t.ok) throw new UsageError(`invalid value for flag -token: ${t.message}`);
  }
  const simNodes = Number(values['sim-nodes']);
  if (simNodes < 0) throw new UsageError(`invalid value "${simNodes}" for flag -sim-nodes: must be 0 or more`);
  const simOptions = simNodes > 0 ? simNodeOptions(values) : undefined;
  let agentLabels: Record<string, string> = {};
  let agentTaints: Taint[] = [];
  if (!values['disable-agent']) {
    const labels = parseNodeLabels((values['node-label'] as string[]) ?? []);
    if (!labels.ok) throw new UsageError(`--node-label: ${labels.message}`);
    const taints = parseNodeTaints((values['node-taint'] as string[]) ?? []);
    if (!taints.ok) throw new UsageError(`--node-taint: ${taints.message}`);
    agentLabels = labels.value;
    agentTaints = taints.value;
  }
  const cmArgs = parseControllerArgs((values['kube-controller-manager-arg'] as string[]) ?? [], {
    ...defaultControllerConfig,
    localStoragePath: path.resolve(String(values['default-local-storage-path'] ?? path.join(dataDir, 'storage'))),
  });
  if (!cmArgs.ok) throw new UsageError(`kube-controller-manager-arg: ${cmArgs.message}`);

  const tokenAuthenticators: TokenAuthenticator[] = [];
  if (values['token-auth-file']) {
    const loaded = await TokenFileAuthenticator.load(String(values['token-auth-file']));
    if (loaded.kind === 'error') {
      logger.error('cannot load token auth file', { err: loaded.message });
      return 1;
    }
    for (const w of loaded.warnings) logger.warn(w);
    tokenAuthenticators.push(loaded.authenticator);
  }

  let schedulerConfig: KubeSchedulerConfiguration | undefined;
  if (values['scheduler-config']) {
    const file = String(values['scheduler-config']);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      logger.error('cannot read scheduler configuration', { file, err: (err as Error).message });
      return 1;
    }
    const { parseSchedulerConfiguration } = await import('../scheduler/config.js');
    const parsed = parseSchedulerConfiguration(text);
    if (!parsed.ok) {
      logger.error('invalid scheduler configuration', { file, errors: parsed.errors.join('; ') });
      return 1;
    }
    schedulerConfig = parsed.config;
  }

  return { values, logger, dataDir, port, bindAddress, serviceCIDR, firstServiceIP, simNodes, simOptions, agentLabels, agentTaints, controllerConfig: cmArgs.config, tokenAuthenticators, schedulerConfig };
}
