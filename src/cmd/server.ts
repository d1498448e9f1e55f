/**
 * `k8ts server`: assembles storage, PKI, authentication, the API server and
 * its bootstrap from the checked command line (server-options.ts), writes the
 * admin kubeconfig, and runs until SIGTERM/SIGINT, when it drains and exits
 * cleanly. What can only fail here (data dir, datastore, port, kubeconfig) is
 * logged and exits 1.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinScheme } from '../api/index.js';
import { defaultAdmissionChain } from '../apiserver/admission/default-chain.js';
import { authenticatorChain } from '../apiserver/authn/authenticator-chain.js';
import { ServiceAccountTokenAuthenticator, ServiceAccountTokenIssuer } from '../apiserver/authn/service-account-token.js';
import { specialHandlers } from '../apiserver/endpoints/special.js';
import type { TokenAuthenticator } from '../apiserver/authn/types.js';
import { AlwaysAllowAuthorizer } from '../apiserver/authz/types.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { APIServer } from '../apiserver/server.js';
import { realClock } from '../machinery/clock.js';
import { isIPv4, isIPv6 } from '../machinery/validation/names.js';
import { ensureClusterPKI } from '../machinery/pki/cluster-pki.js';
import { writeKubeconfig } from '../machinery/pki/kubeconfig.js';
import { RESTClient } from '../client/rest/rest-client.js';
import type { Transport } from '../client/rest/transport.js';
import { LoopbackTransport, nodeUser } from './loopback-transport.js';
import type { ControllerConfig } from '../controllers/framework/controller-config.js';
import { randomUUID } from 'node:crypto';
import type { KubeSchedulerConfiguration } from '../scheduler/config.js';
import type { ServerOptions } from './server-options.js';
import type { Clock } from '../machinery/clock.js';
import type { Logger } from '../machinery/log.js';
import { NodeJoinService } from '../apiserver/authn/node-join.js';
import { registryNodePasswordRecords, runNodePasswordJanitor } from '../apiserver/authn/node-join-password.js';
import { ensureAgentNodePassword } from '../kubelet/node/join.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import { ensureNodeToken } from '../apiserver/authn/node-token.js';
import { KubeletMetricsSource } from '../apiserver/metrics-api/kubelet-source.js';
import { SimulatedUsageSource } from '../apiserver/metrics-api/simulated-usage-source.js';
import { issueCertificate } from '../machinery/pki/certificate.js';
import type { Taint } from '../kubelet/node/node-flags.js';
import { firstIPv4 } from '../kubelet/node/host-info.js';
import { openBackend } from '../storage/factory.js';
import { instrumentBackend } from '../storage/metrics.js';
import { userAgent, versionInfo } from './version.js';
import { type DataDirLock, lockDataDir } from './data-dir.js';

function localAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function runServer(o: ServerOptions): Promise<number> {
  const { values, logger, dataDir, port, bindAddress, serviceCIDR, firstServiceIP, simNodes, simOptions, agentLabels, agentTaints, schedulerConfig } = o;
  const clock = realClock;
  const advertise = String(values['advertise-address'] ?? (bindAddress !== '0.0.0.0' && bindAddress !== '::' ? bindAddress : localAddress()));
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    logger.error('cannot create the data dir', { dir: dataDir, err: (err as Error).message });
    return 1;
  }
  // The local agent keeps its state under this data dir too: a separate `k8ts agent` there is refused as well.
  const locks: DataDirLock[] = [];
  for (const role of values['disable-agent'] ? (['server'] as const) : (['server', 'agent'] as const)) {
    const lock = lockDataDir(dataDir, role);
    locks.push(lock);
    if (!lock.ok) {
      logger.error(lock.message, { dir: dataDir });
      for (const l of locks) if (l.ok) l.release();
      return 1;
    }
  }

  const sans = (values['tls-san'] as string[]) ?? [];
  const ipSANs = [firstServiceIP, ...sans.filter((s) => isIPv4(s) || isIPv6(s))];
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') ipSANs.push(bindAddress);
  if (advertise) ipSANs.push(advertise);
  const pki = await ensureClusterPKI(path.join(dataDir, 'tls'), { sans: { dnsNames: sans.filter((s) => !isIPv4(s) && !isIPv6(s)), ipAddresses: [...new Set(ipSANs)] } });

  const controllerConfig: ControllerConfig = { ...o.controllerConfig, rootCAPEM: pki.ca.certPEM, clusterCIDR: String(values['cluster-cidr']) };
  const nodeToken = await ensureNodeToken(dataDir, pki.ca.certPEM, { secret: values.token ? String(values.token) : undefined });
  const version = versionInfo();
  let rawBackend: Awaited<ReturnType<typeof openBackend>>;
  try {
    rawBackend = await openBackend({
      endpoint: String(values['datastore-endpoint']),
      dataDir,
      caFile: values['datastore-cafile'] as string | undefined,
      certFile: values['datastore-certfile'] as string | undefined,
      keyFile: values['datastore-keyfile'] as string | undefined,
      logger,
      clock,
    });
  } catch (err) {
    logger.error('cannot open the datastore', { endpoint: String(values['datastore-endpoint']), err: (err as Error).message });
    return 1;
  }
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
  const tokenSources: TokenAuthenticator[] = [...o.tokenAuthenticators, new ServiceAccountTokenAuthenticator(pki.serviceAccount, clock, saLookup)];
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
  // Until the components start, a failure stops the server and the datastore before exiting.
  const abandon = async (msg: string, fields: Record<string, unknown>): Promise<number> => {
    logger.error(msg, fields);
    await server.stop();
    await backend.dispose();
    return 1;
  };
  try {
    await server.start();
  } catch (err) {
    return abandon('cannot serve the API', { address: `${bindAddress}:${port}`, err: (err as Error).message });
  }
  const url = `https://${bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress}:${server.address.port}`;
  const kubeconfig = { server: url, caPEM: pki.ca.certPEM, clientCertPEM: pki.admin.certPEM, clientKeyPEM: pki.admin.keyPEM };
  const adminPath = path.join(dataDir, 'admin.kubeconfig');
  for (const file of [adminPath, ...(values['write-kubeconfig'] ? [path.resolve(String(values['write-kubeconfig']))] : [])]) {
    try {
      await writeKubeconfig(file, kubeconfig);
    } catch (err) {
      return abandon('cannot write kubeconfig', { file, err: (err as Error).message });
    }
  }
  // Components are clients of the API like any other (through the whole request chain), with the
  // API server's loopback identity.
  const background = new AbortController();
  runNodePasswordJanitor({ server, records: nodePasswords, logger: logger.with({ component: 'node-password' }), signal: background.signal });
  // One in-process transport per component, each with upstream's user agent: the server names
  // managedFields entries after it (kube-controller-manager, kube-scheduler).
  const transports: Transport[] = [];
  const clientFor = (component: string) => {
    const t = new LoopbackTransport(server, { userAgent: userAgent(component, version.gitVersion) });
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
  if (simOptions) {
    const { SimulatedNodes } = await import('../sim/simulated-nodes.js');
    const sim = new SimulatedNodes({ rest: clientFor('k8ts-sim'), clock, logger: logger.with({ component: 'sim' }), count: simNodes, clusterCIDR: String(values['cluster-cidr']), ...simOptions });
    components.push(sim.run(background.signal).catch((err) => logger.error('simulated nodes stopped', { err })));
  }
  if (values['disable-agent']) logger.info('local agent disabled');
  else {
    const agent = await localAgent({ values, labels: agentLabels, taints: agentTaints, dataDir, server, caPEM: pki.ca, clock, logger, transports, signal: background.signal, nodeJoin, admin: clientFor('k8ts-server') });
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
        for (const l of locks) if (l.ok) l.release();
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
  labels: Record<string, string>;
  taints: Taint[];
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
    userAgent: userAgent('kubelet', KUBELET_VERSION),
    user: nodeUser(nodeName),
  });
  o.transports.push(transport);
  const logger = o.logger.with({ component: 'agent' });
  const done = runNodeAgent(
    {
      rest: new RESTClient(transport),
      nodeName,
      nodeIP,
      labels: o.labels,
      taints: o.taints,
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
