import { setMaxListeners } from 'node:events';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ContainerT, PodT } from '../../../api/core/v1/types.js';
import { ResourceClient } from '../../../client/rest/resource-client.js';
import type { RESTClient } from '../../../client/rest/rest-client.js';
import { FakeClock } from '../../../machinery/clock.js';
import { silentLogger } from '../../../machinery/log.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { type ClientEnv, startClientEnv } from '../../../testing/controller-env.js';
import type { ContainerConfig, ContainerRuntime, RuntimeService } from '../../runtime/interface.js';
import { SimRuntime } from '../../runtime/sim/sim-runtime.js';
import { PLUGIN_CONFIG_MAP, PLUGIN_PROJECTED } from '../../volumes/index.js';
import { PodAgent } from '../pod-agent.js';

type Pod = PodT & KubeObject;
const NODE = 'wiring-node';
const NS = 'wiring';
const VOLUME_RESYNC_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sim runtime, remembering every container config the agent asked for. */
function recording(sim: SimRuntime): { runtime: ContainerRuntime; configs: ContainerConfig[] } {
  const configs: ContainerConfig[] = [];
  const rt = new Proxy(sim.runtime, {
    get(target, key) {
      if (key === 'createContainer') {
        return (id: string, cfg: ContainerConfig, sb: Parameters<RuntimeService['createContainer']>[2]) => {
          configs.push(structuredClone(cfg));
          return target.createContainer(id, cfg, sb);
        };
      }
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { runtime: { name: sim.name, runtime: rt, images: sim.images, dispose: () => sim.dispose() }, configs };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('PodAgent with its default volumes, environment and probes', () => {
  let env: ClientEnv;
  let rest: RESTClient;
  let pods: ResourceClient<Pod>;
  let configMaps: ResourceClient<KubeObject & { data?: Record<string, string> }>;
  let events: ResourceClient<KubeObject>;
  let clock: FakeClock;
  let sim: SimRuntime;
  let configs: ContainerConfig[];
  let recorded: ContainerRuntime;
  let rootDir: string;
  let stopAgent: AbortController;
  let running: Promise<void>;

  before(async () => {
    env = await startClientEnv();
    ({ rest } = env);
    const core = (resource: string, ns?: string) => new ResourceClient<KubeObject>(rest, { group: '', version: 'v1', resource }, ns);
    await core('namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await core('serviceaccounts', NS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } });
    await core('services', NS).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis-primary', namespace: NS }, spec: { ports: [{ port: 6379 }] } } as KubeObject);
    await core('secrets', NS).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: NS }, data: { password: Buffer.from('s3cret').toString('base64') } } as KubeObject);
    pods = new ResourceClient<Pod>(rest, { group: '', version: 'v1', resource: 'pods' }, NS);
    configMaps = new ResourceClient(rest, { group: '', version: 'v1', resource: 'configmaps' }, NS);
    events = core('events', NS);
    clock = new FakeClock(Date.now());
    rootDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-wiring-'));
    sim = new SimRuntime({ clock, podCIDR: '10.244.9.0/24', images: ['present:1.0'] });
    const rec = recording(sim);
    configs = rec.configs;
    recorded = rec.runtime;
    startAgent();
  });

  function startAgent(): void {
    stopAgent = new AbortController();
    // The agent's informers, workers and timers all listen on it.
    setMaxListeners(100, stopAgent.signal);
    const agent = new PodAgent({ rest, nodeName: NODE, runtime: recorded, clock, logger: silentLogger, rootDir, nodeIP: '192.0.2.20', volumeResyncPeriodMs: VOLUME_RESYNC_MS });
    running = agent.run(stopAgent.signal);
  }

  after(async () => {
    stopAgent.abort();
    await running;
    await sim.dispose();
    await env.stop();
    rmSync(rootDir, { recursive: true, force: true });
  });

  /** Polls `fn`, moving the agent's clock `stepMs` between polls. */
  async function until<T>(what: string, fn: () => Promise<T | undefined>, opts: { stepMs?: number; timeoutMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      clock.step(opts.stepMs ?? 200);
      await sleep(15);
    }
  }

  async function eventsOf(name: string): Promise<{ type: string; reason: string; message: string }[]> {
    const list = await events.list();
    return (list.items as unknown as { involvedObject: { name: string }; type: string; reason: string; message: string }[]).filter((e) => e.involvedObject.name === name);
  }

  const eventWith = (name: string, reason: string) => until(`${name} event ${reason}`, async () => (await eventsOf(name)).find((e) => e.reason === reason));

  function pod(name: string, spec: Partial<NonNullable<PodT['spec']>> & { containers?: ContainerT[] }): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'present:1.0', command: ['server'] }], ...spec },
    } as Pod;
  }

  async function runningPod(name: string): Promise<Pod> {
    return until(`${name} running`, async () => {
      const p = await pods.get(name);
      return p.status?.containerStatuses?.every((c) => c.state?.running) && p.status.containerStatuses.length ? p : undefined;
    });
  }

  function configOf(p: Pod, container = 'main'): ContainerConfig {
    const cfg = configs.filter((c) => c.labels['io.kubernetes.pod.uid'] === p.metadata.uid && c.metadata.name === container).at(-1);
    assert.ok(cfg, `no container config for ${p.metadata.name}/${container}`);
    return cfg;
  }

  test('a configMap volume and a secret env var reach the container; service links and $(VAR) expansion too', async () => {
    await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: NS }, data: { 'app.conf': 'level=debug\n' } });
    await pods.create(pod('configured', {
      containers: [{
        name: 'main',
        image: 'present:1.0',
        command: ['server', '--password=$(PASSWORD)', '--escaped=$$(PASSWORD)'],
        env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
        volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
      }],
      volumes: [{ name: 'config', configMap: { name: 'app-config' } }],
    }));
    const p = await runningPod('configured');
    const cfg = configOf(p);
    const env = new Map(cfg.envs.map((e) => [e.key, e.value]));
    assert.equal(env.get('PASSWORD'), 's3cret');
    assert.match(env.get('REDIS_PRIMARY_SERVICE_HOST') ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.equal(env.get('REDIS_PRIMARY_SERVICE_PORT'), '6379');
    assert.ok(env.has('KUBERNETES_SERVICE_HOST'), 'the kubernetes service is linked in every namespace');
    assert.deepEqual(cfg.command, ['server', '--password=s3cret', '--escaped=$(PASSWORD)']);
    const volDir = path.join(rootDir, 'pods', p.metadata.uid!, 'volumes', PLUGIN_CONFIG_MAP, 'config');
    const m = cfg.mounts.find((x) => x.containerPath === '/etc/app');
    assert.deepEqual(m, { containerPath: '/etc/app', hostPath: volDir, readonly: true });
    assert.equal(readFileSync(path.join(volDir, 'app.conf'), 'utf8'), 'level=debug\n');
  });

  test('enableServiceLinks: false leaves out the namespace\'s services but not the kubernetes service', async () => {
    await pods.create(pod('no-links', { enableServiceLinks: false }));
    const env = new Map(configOf(await runningPod('no-links')).envs.map((e) => [e.key, e.value]));
    assert.equal(env.has('REDIS_PRIMARY_SERVICE_HOST'), false);
    assert.ok(env.has('KUBERNETES_SERVICE_HOST'));
  });

  const configErrors: { name: string; env: NonNullable<ContainerT['env']>; message: string }[] = [
    { name: 'missing-key', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'nope' } } }], message: `couldn't find key nope in ConfigMap ${NS}/app-config` },
    { name: 'missing-cm', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }], message: 'configmap "absent" not found' },
    { name: 'missing-secret-key', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }], message: `couldn't find key user in Secret ${NS}/creds` },
  ];
  for (const c of configErrors) {
    test(`CreateContainerConfigError with upstream's message: ${c.name}`, async () => {
      await pods.create(pod(c.name, { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], env: c.env }] }));
      const waiting = await until('CreateContainerConfigError', async () => {
        const w = (await pods.get(c.name)).status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === 'CreateContainerConfigError' ? w : undefined;
      });
      assert.equal(waiting.message, c.message);
      const ev = await eventWith(c.name, 'Failed');
      assert.deepEqual([ev.type, ev.message], ['Warning', `Error: ${c.message}`]);
    });
  }

  test('a volume whose config map is missing records FailedMount and keeps the pod ContainerCreating', async () => {
    await pods.create(pod('no-volume-source', { containers: [{ name: 'main', image: 'present:1.0', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }], volumes: [{ name: 'cfg', configMap: { name: 'does-not-exist' } }] }));
    const ev = await eventWith('no-volume-source', 'FailedMount');
    assert.deepEqual([ev.type, ev.message], ['Warning', 'MountVolume.SetUp failed for volume "cfg" : configmap "does-not-exist" not found']);
    const p = await pods.get('no-volume-source');
    assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  });

  test('a failing readiness probe (tcpSocket on a closed loopback port) keeps Ready=False and records Unhealthy', async () => {
    const port = await closedPort();
    await pods.create(pod('unready', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], readinessProbe: { tcpSocket: { host: '127.0.0.1', port }, periodSeconds: 1 } }] }));
    await runningPod('unready');
    const ev = await eventWith('unready', 'Unhealthy');
    assert.match(ev.message, new RegExp(`^Readiness probe failed: dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused$`));
    const p = await pods.get('unready');
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.message], ['False', 'containers with unready status: [main]']);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, false);
  });

  test('a passing exec readiness probe makes the pod Ready', async () => {
    await pods.create(pod('ready', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], readinessProbe: { exec: { command: ['sh', '-c', 'exit 0'] }, periodSeconds: 1 } }] }));
    await until('Ready', async () => ((await pods.get('ready')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined));
  });

  test('a failing exec liveness probe restarts the container', async () => {
    await pods.create(pod('not-alive', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], livenessProbe: { exec: { command: ['sh', '-c', 'echo down; exit 1'] }, periodSeconds: 1, failureThreshold: 2 } }] }));
    const first = (await runningPod('not-alive')).status!.containerStatuses![0]!.containerID;
    const cs = await until('restarted', async () => {
      const c = (await pods.get('not-alive')).status?.containerStatuses?.[0];
      return c && c.restartCount >= 1 && c.state?.running ? c : undefined;
    }, { stepMs: 500 });
    assert.equal(cs.restartCount, 1);
    assert.notEqual(cs.containerID, first);
    assert.ok(cs.lastState?.terminated);
    const evs = await eventsOf('not-alive');
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: down\n'), JSON.stringify(evs.map((e) => e.message)));
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container main failed liveness probe, will be restarted'));
  });

  test('a projected service account token volume gets a real bound token', async () => {
    await pods.create(pod('token', {
      containers: [{ name: 'main', image: 'present:1.0', command: ['server'], volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }],
      volumes: [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } }],
    }));
    const p = await runningPod('token');
    const dir = path.join(rootDir, 'pods', p.metadata.uid!, 'volumes', PLUGIN_PROJECTED, 'kube-api-access');
    assert.ok(configOf(p).mounts.some((m) => m.hostPath === dir && m.containerPath === '/var/run/secrets/kubernetes.io/serviceaccount'));
    assert.equal(readFileSync(path.join(dir, 'namespace'), 'utf8'), NS);
    const parts = readFileSync(path.join(dir, 'token'), 'utf8').split('.');
    assert.equal(parts.length, 3);
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub: string; exp: number; iat: number; 'kubernetes.io': { pod: { name: string; uid: string } } };
    assert.equal(claims.sub, `system:serviceaccount:${NS}:default`);
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'token', uid: p.metadata.uid });
    assert.equal(claims.exp - claims.iat, 3607);
  });

  test('a config map update reaches the volume directory within the resync period', async () => {
    await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live-config', namespace: NS }, data: { key: 'v1' } });
    await pods.create(pod('watcher', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], volumeMounts: [{ name: 'c', mountPath: '/c' }] }], volumes: [{ name: 'c', configMap: { name: 'live-config' } }] }));
    const p = await runningPod('watcher');
    const file = path.join(rootDir, 'pods', p.metadata.uid!, 'volumes', PLUGIN_CONFIG_MAP, 'c', 'key');
    assert.equal(readFileSync(file, 'utf8'), 'v1');
    const cm = await configMaps.get('live-config');
    await configMaps.update({ ...cm, data: { key: 'v2' } });
    // One resync period of agent time, then only real time passes: the refresh must come from that period.
    clock.step(VOLUME_RESYNC_MS);
    await until('updated file', async () => (readFileSync(file, 'utf8') === 'v2' ? true : undefined), { stepMs: 0, timeoutMs: 5000 });
    // The container was not restarted for it.
    assert.equal((await pods.get('watcher')).status?.containerStatuses?.[0]?.restartCount, 0);
  });

  test('after an agent restart, the volumes of adopted pods keep being refreshed', async () => {
    const p = await pods.get('watcher');
    const file = path.join(rootDir, 'pods', p.metadata.uid!, 'volumes', PLUGIN_CONFIG_MAP, 'c', 'key');
    stopAgent.abort();
    await running;
    startAgent();
    const cm = await configMaps.get('live-config');
    await configMaps.update({ ...cm, data: { key: 'v3' } });
    await until('updated file', async () => (readFileSync(file, 'utf8') === 'v3' ? true : undefined), { stepMs: 500 });
    const after = await pods.get('watcher');
    assert.equal(after.status?.containerStatuses?.[0]?.containerID, p.status?.containerStatuses?.[0]?.containerID);
  });

  test('a startup probe gates readiness: started and Ready once both succeed', async () => {
    await pods.create(pod('slow-start', {
      containers: [{
        name: 'main', image: 'present:1.0', command: ['server'],
        startupProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 10 },
        livenessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
      }],
    }));
    const cs = await until('started and ready', async () => {
      const c = (await pods.get('slow-start')).status?.containerStatuses?.[0];
      return c?.started && c.ready ? c : undefined;
    });
    assert.equal(cs.restartCount, 0);
  });

  test('a failing startup probe keeps the container not started, then restarts it', async () => {
    await pods.create(pod('never-starts', { containers: [{ name: 'main', image: 'present:1.0', command: ['server'], startupProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 } }] }));
    const first = await runningPod('never-starts');
    assert.equal(first.status?.containerStatuses?.[0]?.started, false);
    await until('restarted', async () => ((await pods.get('never-starts')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? true : undefined, { stepMs: 500 });
    const evs = await eventsOf('never-starts');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container main failed startup probe, will be restarted'));
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Startup probe failed: ')));
  });
});
