/**
 * `k8ts server`: assembles storage, PKI, authentication, the API server and
 * its bootstrap from flags (k3s names), writes the admin kubeconfig, and runs
 * until SIGTERM/SIGINT, when it drains and exits cleanly.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinScheme } from '../api/index.js';
import { defaultAdmissionChain } from '../apiserver/admission/default-chain.js';
import { authenticatorChain } from '../apiserver/authn/authenticator-chain.js';
import { TokenFileAuthenticator } from '../apiserver/authn/token-file-authenticator.js';
import { ServiceAccountTokenAuthenticator, ServiceAccountTokenIssuer } from '../apiserver/authn/service-account-token.js';
import { specialHandlers } from '../apiserver/endpoints/special.js';
import type { TokenAuthenticator } from '../apiserver/authn/types.js';
import { AlwaysAllowAuthorizer } from '../apiserver/authz/types.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { cidrRange } from '../apiserver/registry/core/allocator.js';
import { APIServer } from '../apiserver/server.js';
import { realClock } from '../machinery/clock.js';
import { createLogger, isLogLevel } from '../machinery/log.js';
import { isIPv4, isIPv6 } from '../machinery/validation/names.js';
import { ensureClusterPKI } from '../machinery/pki/cluster-pki.js';
import { writeKubeconfig } from '../machinery/pki/kubeconfig.js';
import { RESTClient } from '../client/rest/rest-client.js';
import type { Transport } from '../client/rest/transport.js';
import { LoopbackTransport } from './loopback-transport.js';
import { type ControllerConfig, defaultControllerConfig, parseControllerArgs } from '../controllers/framework/controller-config.js';
import { randomUUID } from 'node:crypto';
import type { KubeSchedulerConfiguration } from '../scheduler/config.js';
import type { Clock } from '../machinery/clock.js';
import type { Logger } from '../machinery/log.js';
import { simNodeFlags, simNodeOptions } from './sim-flags.js';
import { NodeJoinService } from '../apiserver/authn/node-join.js';
import { registryNodePasswordRecords, runNodePasswordJanitor } from '../apiserver/authn/node-join-password.js';
import { ensureAgentNodePassword } from '../kubelet/node/join.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import { ensureNodeToken } from '../apiserver/authn/node-token.js';
import { KubeletMetricsSource } from '../apiserver/metrics-api/kubelet-source.js';
import { SimulatedUsageSource } from '../apiserver/metrics-api/simulated-usage-source.js';
import { issueCertificate } from '../machinery/pki/certificate.js';
import { parseNodeLabels, parseNodeTaints } from '../kubelet/node/node-flags.js';
import { firstIPv4 } from '../kubelet/node/host-info.js';
import { openBackend } from '../storage/factory.js';
import { instrumentBackend } from '../storage/metrics.js';
import { type FlagSpec, UsageError, formatUsage, parseFlags } from './flags.js';
import { versionInfo } from './version.js';
import { defaultDataDir } from './data-dir.js';

export { defaultDataDir };

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

function localAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function runServer(argv: string[]): Promise<number> {
  const { values, args } = parseFlags(serverFlags, argv);
  if (values.help) {
    process.stdout.write(formatUsage('server', 'Run management server', serverFlags));
    return 0;
  }
  if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
  const level = String(values['log-level']);
  if (!isLogLevel(level)) throw new UsageError(`invalid value "${level}" for flag -log-level: must be one of error, warn, info, debug, trace`);
  const logger = createLogger({ level });
  const clock = realClock;
  const dataDir = path.resolve(String(values['data-dir'] ?? defaultDataDir()));
  const port = Number(values['https-listen-port']);
  const bindAddress = String(values['bind-address']);
  const serviceCIDR = String(values['service-cidr']);
  let firstServiceIP: string;
  try {
    firstServiceIP = cidrRange(serviceCIDR).first;
    cidrRange(String(values['cluster-cidr']));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const advertise = String(values['advertise-address'] ?? (bindAddress !== '0.0.0.0' && bindAddress !== '::' ? bindAddress : localAddress()));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const sans = (values['tls-san'] as string[]) ?? [];
  const ipSANs = [firstServiceIP, ...sans.filter((s) => isIPv4(s) || isIPv6(s))];
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') ipSANs.push(bindAddress);
  if (advertise) ipSANs.push(advertise);
  const pki = await ensureClusterPKI(path.join(dataDir, 'tls'), { sans: { dnsNames: sans.filter((s) => !isIPv4(s) && !isIPv6(s)), ipAddresses: [...new Set(ipSANs)] } });

  const tokenSources: TokenAuthenticator[] = [];
  if (values['token-auth-file']) {
    const loaded = await TokenFileAuthenticator.load(String(values['token-auth-file']));
    if (loaded.kind === 'error') {
      logger.error('cannot load token auth file', { err: loaded.message });
      return 1;
    }
    for (const w of loaded.warnings) logger.warn(w);
    tokenSources.push(loaded.authenticator);
  }

  let schedulerConfig: KubeSchedulerConfiguration | undefined;
  if (values['scheduler-config']) {
    const { parseSchedulerConfiguration } = await import('../scheduler/config.js');
    const parsed = parseSchedulerConfiguration(readFileSync(String(values['scheduler-config']), 'utf8'));
    if (!parsed.ok) {
      logger.error('invalid scheduler configuration', { file: values['scheduler-config'], errors: parsed.errors.join('; ') });
      return 1;
    }
    schedulerConfig = parsed.config;
  }
  const cmArgs = parseControllerArgs((values['kube-controller-manager-arg'] as string[]) ?? [], {
    ...defaultControllerConfig,
    localStoragePath: path.resolve(String(values['default-local-storage-path'] ?? path.join(dataDir, 'storage'))),
  });
  if (!cmArgs.ok) throw new UsageError(`kube-controller-manager-arg: ${cmArgs.message}`);
  const controllerConfig: ControllerConfig = { ...cmArgs.config, rootCAPEM: pki.ca.certPEM, clusterCIDR: String(values['cluster-cidr']) };
  const nodeToken = await ensureNodeToken(dataDir, pki.ca.certPEM, { secret: values.token ? String(values.token) : undefined });
  const version = versionInfo();
  const rawBackend = await openBackend({
    endpoint: String(values['datastore-endpoint']),
    dataDir,
    caFile: values['datastore-cafile'] as string | undefined,
    certFile: values['datastore-certfile'] as string | undefined,
    keyFile: values['datastore-keyfile'] as string | undefined,
    logger,
    clock,
  });
  // The server owns the metrics; storage is wrapped before the server exists.
  const serverRef: { current?: APIServer } = {};
  const backend = instrumentBackend(rawBackend, (op, secs) => serverRef.current?.metrics.storageLatency.observe({ operation: op, type: rawBackend.name }, secs));
  const scheme = builtinScheme();
  const saLookup = {
    uidOf: async (ns: string, name: string) => {
      try {
        return (await serverRef.current!.registry.storeFor('', 'serviceaccounts')!.get(ns, name)).object.metadata.uid;
      } catch {
        return undefined;
      }
    },
  };
  tokenSources.push(new ServiceAccountTokenAuthenticator(pki.serviceAccount, clock, saLookup));
  const tokenIssuer = new ServiceAccountTokenIssuer(pki.serviceAccount, clock);
  const authenticator = authenticatorChain({ clientCAPEM: pki.ca.certPEM, tokenAuthenticators: tokenSources, anonymous: true, clock });
  const authorizer = new AlwaysAllowAuthorizer();
  const nodePasswords = registryNodePasswordRecords(() => serverRef.current);
  const nodeJoin = new NodeJoinService({ ca: pki.ca, secret: nodeToken.secret, clock, passwords: nodePasswords });
  const server = new APIServer({
    scheme,
    backend,
    tls: { certPEM: pki.serving.certPEM, keyPEM: pki.serving.keyPEM, clientCAPEM: pki.ca.certPEM },
    authenticator,
    authorizer,
    clock,
    logger,
    bindAddress,
    port,
    serviceCIDR,
    nodePortRange: String(values['service-node-port-range']),
    // Hidden knob: tests need bookmarks sooner than the default minute.
    bookmarkIntervalMs: process.env.K8TS_WATCH_BOOKMARK_INTERVAL_MS ? Number(process.env.K8TS_WATCH_BOOKMARK_INTERVAL_MS) : undefined,
    version,
    admission: (registry) => defaultAdmissionChain(registry, clock),
    subresourceHandlers: () => specialHandlers({ authenticator, authorizer, tokenIssuer }),
    bootstrap: (s) => bootstrapCluster(s, { serviceCIDR, advertiseAddress: advertise, port: s.address.port }),
    nodeJoin,
    // The server reaches agents (logs, exec, port-forward, node proxy, metrics) with its own kubelet client certificate, as kubeadm's.
    kubeletClient: { certPEM: pki.kubeletClient.certPEM, keyPEM: pki.kubeletClient.keyPEM, caPEM: pki.ca.certPEM },
    metricsSources: [new SimulatedUsageSource({ clock }), new KubeletMetricsSource({ clock, caPEM: pki.ca.certPEM, clientCertPEM: pki.kubeletClient.certPEM, clientKeyPEM: pki.kubeletClient.keyPEM })],
  });
  serverRef.current = server;
  await server.start();
  const url = `https://${bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress}:${server.address.port}`;
  const kubeconfig = { server: url, caPEM: pki.ca.certPEM, clientCertPEM: pki.admin.certPEM, clientKeyPEM: pki.admin.keyPEM };
  const adminPath = path.join(dataDir, 'admin.kubeconfig');
  await writeKubeconfig(adminPath, kubeconfig);
  if (values['write-kubeconfig']) await writeKubeconfig(path.resolve(String(values['write-kubeconfig'])), kubeconfig);
  // Components are clients of the API like any other (through the whole request chain), with the
  // API server's loopback identity.
  const background = new AbortController();
  runNodePasswordJanitor({ server, records: nodePasswords, logger: logger.with({ component: 'node-password' }), signal: background.signal });
  // One in-process transport per component, each with upstream's user agent: the server names
  // managedFields entries after it (kube-controller-manager, kube-scheduler).
  const transports: Transport[] = [];
  const clientFor = (component: string) => {
    const t = new LoopbackTransport(server, { userAgent: `${component}/${version.gitVersion} (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}) kubernetes/k8ts` });
    transports.push(t);
    return new RESTClient(t);
  };
  const components: Promise<void>[] = [];
  const identity = `${os.hostname()}_${randomUUID()}`;
  // The components' code loads only now: the API is ready without waiting for code it does not run.
  if (!values['disable-controller-manager']) {
    const [{ ControllerManager }, { builtinControllers }] = await Promise.all([import('../controllers/manager.js'), import('../controllers/registry.js')]);
    components.push(
      new ControllerManager({ rest: clientFor('kube-controller-manager'), clock, logger: logger.with({ component: 'controller-manager' }), identity, controllers: builtinControllers, config: controllerConfig })
        .run(background.signal)
        .catch((err) => logger.error('controller manager stopped', { err })),
    );
  }
  if (!values['disable-scheduler']) {
    const { Scheduler } = await import('../scheduler/scheduler.js');
    components.push(runScheduler(Scheduler, { rest: clientFor('kube-scheduler'), clock, logger: logger.with({ component: 'scheduler' }), identity, config: schedulerConfig, signal: background.signal }));
  }
  const simNodes = Number(values['sim-nodes']);
  if (simNodes > 0) {
    const { SimulatedNodes } = await import('../sim/simulated-nodes.js');
    const sim = new SimulatedNodes({ rest: clientFor('k8ts-sim'), clock, logger: logger.with({ component: 'sim' }), count: simNodes, clusterCIDR: String(values['cluster-cidr']), ...simNodeOptions(values) });
    components.push(sim.run(background.signal).catch((err) => logger.error('simulated nodes stopped', { err })));
  }
  if (values['disable-agent']) logger.info('local agent disabled');
  else {
    const agent = await localAgent({ values, dataDir, server, caPEM: pki.ca, clock, logger, transports, signal: background.signal, nodeJoin, admin: clientFor('k8ts-server') });
    if (agent) components.push(agent.done);
  }
  logger.info('node token', { file: nodeToken.file });
  logger.info('k8ts is up and running', { version: version.gitVersion, url, datastore: rawBackend.name, dataDir });
  process.stdout.write(`export KUBECONFIG=${values['write-kubeconfig'] ? path.resolve(String(values['write-kubeconfig'])) : adminPath}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal: sig });
      void (async () => {
        background.abort();
        await Promise.all(components);
        for (const t of transports) t.close();
        await server.stop();
        await backend.dispose();
        resolve(code);
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // Generated while the server started; a server that cannot sign tokens does not stay up.
    pki.serviceAccount.catch((err: unknown) => {
      logger.error('cannot create the service-account signing key', { err });
      stop('error', 1);
    });
  });
}

/**
 * The server's own node agent, with credentials issued directly by the CA;
 * only started when a runtime is usable here (otherwise the reason is logged).
 */
async function localAgent(o: {
  values: Record<string, unknown>;
  dataDir: string;
  server: APIServer;
  caPEM: { certPEM: string; keyPEM: string };
  clock: Clock;
  logger: Logger;
  transports: Transport[];
  signal: AbortSignal;
  nodeJoin: NodeJoinService;
  admin: RESTClient;
}): Promise<{ done: Promise<void> } | undefined> {
  // The agent's modules (runtimes, gRPC, image store) load only when a local agent runs: a server
  // started with --disable-agent is ready sooner without them.
  const [{ chooseRuntime, runNodeAgent }, { KUBELET_VERSION }] = await Promise.all([import('./agent.js'), import('../kubelet/node/node-status-manager.js')]);
  const runtime = chooseRuntime(o.values['container-runtime-endpoint'] as string | undefined);
  if (runtime.kind === 'unavailable') {
    o.logger.warn(`not running a local agent: ${runtime.reason} (use --disable-agent to silence this, or --container-runtime-endpoint sim)`);
    return undefined;
  }
  const labels = parseNodeLabels((o.values['node-label'] as string[]) ?? []);
  if (!labels.ok) throw new UsageError(`--node-label: ${labels.message}`);
  const taints = parseNodeTaints((o.values['node-taint'] as string[]) ?? []);
  if (!taints.ok) throw new UsageError(`--node-taint: ${taints.message}`);
  const nodeName = String(o.values['node-name'] ?? os.hostname()).toLowerCase();
  const nodeIP = String(o.values['node-ip'] ?? firstIPv4());
  // The local agent pins its name like any agent, so a remote one cannot join under it.
  const pinned = await o.nodeJoin.verifyNodePassword(nodeName, await ensureAgentNodePassword(path.join(o.dataDir, 'node-password')));
  if (!pinned.ok) {
    o.logger.error(`not running a local agent: ${pinned.message}`);
    return undefined;
  }
  const ca = o.caPEM;
  const serving = await issueCertificate(ca, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], usage: 'server', ipAddresses: [...new Set([nodeIP, '127.0.0.1'])], dnsNames: [nodeName, 'localhost'], clock: o.clock });
  // In-process, as the node's own user: what a client certificate for system:node:<name> in
  // system:nodes would authenticate as, without TLS and HTTP/2 at both ends of every request.
  const transport = new LoopbackTransport(o.server, {
    userAgent: `kubelet/${KUBELET_VERSION} (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}) kubernetes/k8ts`,
    user: { username: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] },
  });
  o.transports.push(transport);
  const logger = o.logger.with({ component: 'agent' });
  const done = runNodeAgent(
    {
      rest: new RESTClient(transport),
      nodeName,
      nodeIP,
      labels: labels.value,
      taints: taints.value,
      rootDir: path.join(o.dataDir, 'agent'),
      runtime,
      kubeletPort: Number(o.values['kubelet-port']),
      bindAddress: '0.0.0.0',
      tls: { certPEM: serving.certPEM, keyPEM: serving.keyPEM, clientCAPEM: ca.certPEM },
      clusterDNS: o.values['cluster-dns'] ? [String(o.values['cluster-dns'])] : undefined,
      clock: o.clock,
      logger,
    },
    o.signal,
  ).catch((err) => logger.error('local agent stopped', { err }));
  // As k3s labels its server nodes. NodeRestriction keeps node-role labels from kubelets, so the server sets them.
  const roles = labelServerNode(o.admin, nodeName, { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' }, o.clock, o.signal).catch((err) => logger.warn('cannot label the server node', { err }));
  return { done: Promise.all([done, roles]).then(() => undefined) };
}

/** Merges `labels` into Node `name` once it is registered. */
async function labelServerNode(rest: RESTClient, name: string, labels: Record<string, string>, clock: Clock, signal: AbortSignal): Promise<void> {
  const nodes = new ResourceClient(rest, { group: '', version: 'v1', resource: 'nodes' });
  while (!signal.aborted) {
    try {
      await nodes.patch(name, 'merge', { metadata: { labels } }, { fieldManager: 'k8ts-server', signal });
      return;
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    }
    await clock.sleep(1000, signal).catch(() => undefined);
  }
}

/** The scheduler campaigns again whenever it loses leadership, until the server stops. */
async function runScheduler(
  Scheduler: typeof import('../scheduler/scheduler.js').Scheduler,
  o: { rest: RESTClient; clock: Clock; logger: Logger; identity: string; config?: KubeSchedulerConfiguration; signal: AbortSignal },
): Promise<void> {
  while (!o.signal.aborted) {
    try {
      await new Scheduler({ rest: o.rest, clock: o.clock, logger: o.logger, identity: o.identity, config: o.config }).run(o.signal);
    } catch (err) {
      o.logger.error('scheduler stopped; restarting', { err });
    }
    if (!o.signal.aborted) await o.clock.sleep(1000, o.signal).catch(() => undefined);
  }
}
