/**
 * `k8ts agent`: a node agent joining a cluster (k3s flag names). It gets its
 * identity with the node token, registers the Node, waits for the podCIDR the
 * server assigns, then starts the container runtime, the pod agent and the
 * HTTPS endpoint the API server reaches for logs, exec, port-forward and
 * resource metrics. `k8ts server` runs the same composition in-process.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { PodAgent } from '../kubelet/agent/index.js';
import { LocalImageService, loadRegistries, runImageGC } from '../kubelet/images/index.js';
import { joinCluster } from '../kubelet/node/join.js';
import { parseNodeLabels, parseNodeTaints, type Taint } from '../kubelet/node/node-flags.js';
import { KUBELET_VERSION, NodeStatusManager } from '../kubelet/node/node-status-manager.js';
import { firstIPv4 } from '../kubelet/node/host-info.js';
import type { ContainerRuntime, RuntimeService, RuntimeStatus, RuntimeVersion } from '../kubelet/runtime/interface.js';
import { readJsonFile } from '../kubelet/runtime/oci/json-file.js';
import { KubeletServer } from '../kubelet/server/kubelet-server.js';
import { WebhookAuthorizer, subjectAccessReviewer } from '../kubelet/server/kubelet-auth.js';
import { RESOURCE_METRICS_CONTENT_TYPE, ResourceMetricsCollector } from '../kubelet/stats/resource-metrics.js';
import { type Clock, realClock } from '../machinery/clock.js';
import type { Logger } from '../machinery/log.js';
import { type FlagSpec, UsageError, formatUsage, ipFlag, parseFlags, portFlag, loggerFlag } from './flags.js';
import { userAgent } from './version.js';
import { defaultDataDir, lockDataDir } from './data-dir.js';


export const agentFlags: FlagSpec[] = [
  { name: 'server', aliases: ['s'], kind: 'string', usage: 'Server to connect to', env: 'K8TS_URL' },
  { name: 'token', aliases: ['t'], kind: 'string', usage: 'Token to use for authentication', env: 'K8TS_TOKEN' },
  { name: 'token-file', kind: 'string', usage: 'Token file to use for authentication', env: 'K8TS_TOKEN_FILE' },
  { name: 'node-name', kind: 'string', usage: 'Node name', env: 'K8TS_NODE_NAME' },
  { name: 'node-ip', aliases: ['i'], kind: 'string', usage: 'IPv4 address to advertise for node' },
  { name: 'node-labels', aliases: ['node-label'], kind: 'strings', usage: 'Registering and starting kubelet with set of labels (key=value, repeatable)', default: [] },
  { name: 'node-taints', aliases: ['node-taint'], kind: 'strings', usage: 'Registering kubelet with set of taints (key=value:Effect, repeatable)', default: [] },
  { name: 'data-dir', aliases: ['d'], kind: 'string', usage: 'Folder to hold state', env: 'K8TS_DATA_DIR' },
  { name: 'container-runtime-endpoint', kind: 'string', usage: 'oci (built-in, needs root and runc), sim (simulated containers), or the socket of a CRI runtime (containerd)' },
  { name: 'kubelet-port', kind: 'int', usage: 'Port of the agent\'s HTTPS endpoint (logs, exec, port-forward, metrics)', default: 10250 },
  { name: 'bind-address', kind: 'string', usage: 'Address the agent\'s HTTPS endpoint listens on', default: '0.0.0.0' },
  { name: 'cluster-dns', kind: 'string', usage: 'Cluster DNS server IP for pods with dnsPolicy ClusterFirst' },
  { name: 'cluster-domain', kind: 'string', usage: 'Cluster domain', default: 'cluster.local' },
  { name: 'cleanup', kind: 'bool', usage: 'Stop every pod the agent runs, remove its state under <data-dir>/agent, and exit', default: false },
  { name: 'log-level', kind: 'string', usage: 'Log verbosity: error, warn, info, debug, trace', default: 'info', env: 'K8TS_LOG_LEVEL' },
  { name: 'help', aliases: ['h'], kind: 'bool', usage: 'show help', default: false },
];

export type RuntimeChoice = { kind: 'oci' } | { kind: 'sim' } | { kind: 'cri'; endpoint: string } | { kind: 'unavailable'; reason: string };

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, bin)));
}

/** Which runtime `--container-runtime-endpoint` means here; `oci` needs root and runc. */
export function chooseRuntime(endpoint: string | undefined, host: { root: boolean; hasRunc: boolean } = { root: process.getuid?.() === 0, hasRunc: onPath('runc') }): RuntimeChoice {
  const e = (endpoint ?? '').trim();
  if (e === 'sim') return { kind: 'sim' };
  if (e === '' || e === 'oci') {
    if (!host.root) return { kind: 'unavailable', reason: 'the oci runtime needs root' };
    if (!host.hasRunc) return { kind: 'unavailable', reason: 'the oci runtime needs runc on PATH (apt-get install runc)' };
    return { kind: 'oci' };
  }
  return { kind: 'cri', endpoint: e };
}

export interface NodeAgentOptions {
  rest: RESTClient;
  nodeName: string;
  nodeIP: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** `<data-dir>/agent`: images, runtime state, pod files. */
  rootDir: string;
  runtime: Exclude<RuntimeChoice, { kind: 'unavailable' }>;
  kubeletPort: number;
  bindAddress: string;
  /** Serving certificate of the HTTPS endpoint and the cluster CA its clients must chain to. */
  tls: { certPEM: string; keyPEM: string; clientCAPEM: string };
  clusterDNS?: string[];
  clusterDomain?: string;
  clock: Clock;
  logger: Logger;
}

/** Stands in for the runtime until the podCIDR it needs is known, so the node can register meanwhile. */
class PendingRuntime implements Pick<RuntimeService, 'status' | 'version'> {
  current?: ContainerRuntime;
  constructor(private readonly kind: string) {}
  status(): Promise<RuntimeStatus> {
    return this.current ? this.current.runtime.status() : Promise.resolve({ runtimeReady: false, networkReady: false, message: 'waiting for the node podCIDR' });
  }
  version(): Promise<RuntimeVersion> {
    return this.current ? this.current.runtime.version() : Promise.resolve({ runtimeName: this.kind, runtimeVersion: 'starting', runtimeApiVersion: 'v1' });
  }
}

/** Each runtime's code loads only when it is the one chosen (the CRI client brings gRPC). */
async function createRuntime(o: NodeAgentOptions, podCIDR: string, images: LocalImageService | undefined): Promise<ContainerRuntime> {
  switch (o.runtime.kind) {
    case 'sim': {
      const { SimRuntime } = await import('../kubelet/runtime/sim/index.js');
      return new SimRuntime({ clock: o.clock, podCIDR });
    }
    case 'cri': {
      const { CriRuntime, criAgentId } = await import('../kubelet/runtime/cri/index.js');
      // Remembered so `--cleanup` finds the runtime without being told again.
      mkdirSync(o.rootDir, { recursive: true });
      writeFileSync(criEndpointFile(o.rootDir), `${o.runtime.endpoint}\n`);
      return new CriRuntime({ endpoint: o.runtime.endpoint, agentId: criAgentId(o.rootDir), podCIDR });
    }
    case 'oci': {
      const { createOciRuntime } = await import('../kubelet/runtime/oci/index.js');
      return createOciRuntime({ stateDir: path.join(o.rootDir, 'oci'), layers: images!, images: images!, podCIDR, ...ociHostNames(), logger: o.logger.with({ component: 'oci' }) });
    }
  }
}

/**
 * Hidden overrides of the host-wide names the oci runtime claims (bridge,
 * cgroup root), so several agents (test runs) on one machine stay apart.
 */
function ociHostNames(): { bridge?: string; cgroupRoot?: string } {
  const bridge = process.env.K8TS_POD_BRIDGE?.trim();
  const cgroupRoot = process.env.K8TS_CGROUP_ROOT?.trim();
  return { ...(bridge ? { bridge } : {}), ...(cgroupRoot ? { cgroupRoot } : {}) };
}

/** Runs the node agent until `signal` aborts; the runtime's containers keep running for the next start to adopt. */
export async function runNodeAgent(o: NodeAgentOptions, outer: AbortSignal): Promise<void> {
  const log = o.logger;
  // One listener on the caller's signal; the agent's many watches and timers hang off its own.
  const lifetime = new AbortController();
  setMaxListeners(100, lifetime.signal);
  if (outer.aborted) lifetime.abort();
  else outer.addEventListener('abort', () => lifetime.abort(), { once: true });
  const signal = lifetime.signal;
  // Mirrors and credentials in k3s's registries.yaml format; a missing file means none.
  const registries = o.runtime.kind === 'oci' ? await loadRegistries(path.join(o.rootDir, 'registries.yaml')) : undefined;
  const images = o.runtime.kind === 'oci' ? new LocalImageService({ root: path.join(o.rootDir, 'images'), clock: o.clock, registries }) : undefined;
  const pending = new PendingRuntime(o.runtime.kind);
  const nodeStatus = new NodeStatusManager({
    rest: o.rest,
    nodeName: o.nodeName,
    nodeIP: o.nodeIP,
    runtime: pending as unknown as RuntimeService,
    images,
    clock: o.clock,
    logger: log.with({ component: 'node-status' }),
    dataDir: o.rootDir,
    labels: o.labels,
    taints: o.taints,
    kubeletPort: o.kubeletPort,
  });
  const statusRun = nodeStatus.run(signal);
  let podCIDR: string;
  try {
    log.info('waiting for the node podCIDR', { node: o.nodeName });
    podCIDR = await nodeStatus.waitForPodCIDR(signal);
  } catch {
    await statusRun;
    return;
  }
  log.info('node podCIDR assigned', { node: o.nodeName, podCIDR });
  const runtime = await createRuntime(o, podCIDR, images);
  pending.current = runtime;

  // Webhook authorization as upstream kubelets: the API server decides who may use this endpoint.
  const authorizer = new WebhookAuthorizer({ review: subjectAccessReviewer(o.rest), clock: o.clock });
  const server = new KubeletServer({ runtime: runtime.runtime, tls: o.tls, bindAddress: o.bindAddress, port: o.kubeletPort, logger: log.with({ component: 'kubelet-server' }), nodeName: o.nodeName, authorize: authorizer.asAuthorize() });
  const metrics = new ResourceMetricsCollector({ runtime: runtime.runtime, clock: o.clock });
  server.mount('/metrics/resource', async (_req, res) => {
    const body = await metrics.render();
    res.writeHead(200, { 'Content-Type': RESOURCE_METRICS_CONTENT_TYPE });
    res.end(body);
  });
  let serving = false;
  try {
    await server.start();
    serving = true;
    if (server.port !== o.kubeletPort) {
      nodeStatus.setKubeletPort(server.port);
      void nodeStatus.syncStatus({ force: true, signal });
    }
  } catch (err) {
    log.error('agent HTTPS endpoint failed to start; logs, exec and metrics are unavailable', { port: o.kubeletPort, err });
  }
  // The runtime is up (and the port known): post the status that says so now, not at the next tick.
  void nodeStatus.syncStatus({ force: true, signal });
  const pods = new PodAgent({
    rest: o.rest,
    nodeName: o.nodeName,
    runtime,
    clock: o.clock,
    logger: log.with({ component: 'pod-agent' }),
    rootDir: o.rootDir,
    nodeIP: o.nodeIP,
    clusterDNS: o.clusterDNS,
    clusterDomain: o.clusterDomain,
  });
  const imageGC = images ? runImageGC({ runtime: runtime.runtime, images, clock: o.clock, logger: log.with({ component: 'image-gc' }), signal }) : Promise.resolve();
  try {
    await Promise.all([pods.run(signal), statusRun, imageGC]);
  } finally {
    if (serving) await server.stop();
    await runtime.dispose();
  }
}

function criEndpointFile(rootDir: string): string {
  return path.join(rootDir, 'cri-endpoint');
}

/**
 * `--cleanup`: removes every pod the agent runs and the agent's state. oci:
 * processes, mounts, netns, cgroups, bridge. cri: the agent's sandboxes and
 * containers in the runtime (`criEndpoint`, else the one the agent last used),
 * whose teardown releases their CNI state; the runtime's other pods stay.
 * A cri runtime that cannot be reached is an error, and the state is kept so
 * a later run can finish.
 */
export async function cleanupNodeAgent(rootDir: string, logger: Logger, opts: { criEndpoint?: string } = {}): Promise<{ ok: true } | { ok: false; message: string }> {
  let criEndpoint = opts.criEndpoint;
  if (!criEndpoint && existsSync(criEndpointFile(rootDir))) criEndpoint = readFileSync(criEndpointFile(rootDir), 'utf8').trim() || undefined;
  if (criEndpoint) {
    const { cleanupCriAgent, criAgentId } = await import('../kubelet/runtime/cri/index.js');
    const res = await cleanupCriAgent({ endpoint: criEndpoint, agentId: criAgentId(rootDir) });
    if (!res.ok) return { ok: false, message: `cri runtime: ${res.message}` };
    logger.info('removed the agent\'s pods from the cri runtime', { endpoint: criEndpoint, sandboxes: res.sandboxes, containers: res.containers });
  }
  const ociState = path.join(rootDir, 'oci');
  if (existsSync(ociState)) {
    const images = new LocalImageService({ root: path.join(rootDir, 'images') });
    // The podCIDR the runtime ran with names the bridge's nat rules; without it the bridge would stay.
    const podCIDR = readJsonFile<{ cidr?: string }>(path.join(ociState, 'ipam.json'))?.cidr;
    const { createOciRuntime } = await import('../kubelet/runtime/oci/index.js');
    const rt = createOciRuntime({ stateDir: ociState, layers: images, images, podCIDR, ...ociHostNames(), logger });
    await rt.cleanupAll();
    await rt.dispose();
  }
  await rm(rootDir, { recursive: true, force: true });
  return { ok: true };
}

/** The join token from `--token`, else from `--token-file`. */
function readToken(values: Record<string, unknown>): { ok: true; token?: string } | { ok: false; file: string; message: string } {
  if (values.token) return { ok: true, token: String(values.token) };
  if (!values['token-file']) return { ok: true };
  const file = String(values['token-file']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    return { ok: false, file, message: (err as Error).message };
  }
  return text ? { ok: true, token: text } : { ok: false, file, message: 'the file is empty' };
}

export async function runAgent(argv: string[]): Promise<number> {
  const { values, args } = parseFlags(agentFlags, argv);
  if (values.help) {
    process.stdout.write(formatUsage('agent', 'Run node agent', agentFlags));
    return 0;
  }
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const logger = loggerFlag(values);
  const dataDir = path.resolve(String(values['data-dir'] ?? defaultDataDir()));
  const rootDir = path.join(dataDir, 'agent');
  if (values.cleanup) {
    // Not under a running agent's feet (nor a server's local one).
    const lock = existsSync(dataDir) ? lockDataDir(dataDir, 'agent') : undefined;
    if (lock && !lock.ok) {
      logger.error(lock.message, { dir: dataDir });
      return 1;
    }
    const endpoint = values['container-runtime-endpoint'] as string | undefined;
    const choice = endpoint ? chooseRuntime(endpoint) : undefined;
    const done = await cleanupNodeAgent(rootDir, logger, choice?.kind === 'cri' ? { criEndpoint: choice.endpoint } : {}).finally(() => lock?.release());
    if (!done.ok) {
      logger.error('cleanup incomplete', { err: done.message });
      return 1;
    }
    logger.info('agent state removed', { dir: rootDir });
    return 0;
  }
  const serverURL = values.server ? String(values.server) : undefined;
  if (!serverURL) throw new UsageError('--server is required');
  if (!/^https:\/\//.test(serverURL)) throw new UsageError(`--server must be an https:// URL, got "${serverURL}"`);
  if (!values.token && !values['token-file']) throw new UsageError('--token or --token-file is required');
  const labels = parseNodeLabels(values['node-labels'] as string[]);
  if (!labels.ok) throw new UsageError(`--node-labels: ${labels.message}`);
  const taints = parseNodeTaints(values['node-taints'] as string[]);
  if (!taints.ok) throw new UsageError(`--node-taints: ${taints.message}`);
  ipFlag(values, 'node-ip');
  const bindAddress = ipFlag(values, 'bind-address')!;
  ipFlag(values, 'cluster-dns');
  const port = portFlag(values, 'kubelet-port');
  const read = readToken(values);
  if (!read.ok) {
    logger.error('cannot read the token file', { file: read.file, err: read.message });
    return 1;
  }
  const token = read.token!;
  const runtime = chooseRuntime(values['container-runtime-endpoint'] as string | undefined);
  if (runtime.kind === 'unavailable') {
    logger.error(`no container runtime: ${runtime.reason}; use --container-runtime-endpoint sim or a CRI socket`);
    return 1;
  }
  const nodeName = String(values['node-name'] ?? os.hostname()).toLowerCase();
  const nodeIP = String(values['node-ip'] ?? firstIPv4());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(dataDir, 'agent');
  if (!lock.ok) {
    logger.error(lock.message, { dir: dataDir });
    return 1;
  }

  const joined = await joinCluster({
    server: serverURL,
    token,
    nodeName,
    dir: path.join(rootDir, 'tls'),
    servingSANs: { ipAddresses: [...new Set([nodeIP, '127.0.0.1'])], dnsNames: [nodeName, 'localhost'] },
    // Outside <data-dir>/agent, which --cleanup removes: the password is what keeps the node name ours.
    passwordFile: path.join(dataDir, 'node-password'),
  });
  if (!joined.ok) {
    logger.error('cannot join the cluster', { server: serverURL, err: joined.message });
    return 1;
  }
  const creds = joined.value;
  const transport = new HTTP2Transport({
    server: serverURL,
    caPEM: creds.caPEM,
    certPEM: creds.client.certPEM,
    keyPEM: creds.client.keyPEM,
    userAgent: userAgent('kubelet', KUBELET_VERSION),
  });
  const stop = new AbortController();
  const onSignal = (sig: string) => {
    logger.info('shutting down', { signal: sig });
    stop.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  logger.info('k8ts agent starting', { node: nodeName, server: serverURL, runtime: runtime.kind, dataDir });
  try {
    await runNodeAgent(
      {
        rest: new RESTClient(transport),
        nodeName,
        nodeIP,
        labels: labels.value,
        taints: taints.value,
        rootDir,
        runtime,
        kubeletPort: port,
        bindAddress,
        tls: { certPEM: creds.serving.certPEM, keyPEM: creds.serving.keyPEM, clientCAPEM: creds.caPEM },
        clusterDNS: values['cluster-dns'] ? [String(values['cluster-dns'])] : undefined,
        clusterDomain: String(values['cluster-domain']),
        clock: realClock,
        logger,
      },
      stop.signal,
    );
  } finally {
    transport.close();
    lock.release();
  }
  return 0;
}

