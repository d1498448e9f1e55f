import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, PodSandboxConfig } from '../interface.js';
import {
  containerConfigToWire,
  containerStatusFromWire,
  imageConfigFromInfo,
  imageFromWire,
  msToNs,
  nsToMs,
  podSandboxConfigToWire,
  runtimeStatusFromWire,
  type WireContainerStatus,
} from './convert.js';
import { criTarget } from './cri-client.js';
import { parseRemoteCommandStatus } from './streaming-client.js';

function sandbox(over: Partial<PodSandboxConfig['linux']['security']> = {}): PodSandboxConfig {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', attempt: 2 },
    hostname: 'web',
    logDirectory: '/logs/default_web_u-1',
    dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
    portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }, { protocol: 'UDP', containerPort: 53 }],
    labels: { app: 'web' },
    annotations: { note: 'x' },
    linux: { cgroupParent: '/kubepods/pod-u-1', security: { hostNetwork: false, ...over }, sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } },
  };
}

describe('cri time conversion', () => {
  const cases: { name: string; ns: string | number; ms: number }[] = [
    { name: 'zero stays zero', ns: '0', ms: 0 },
    { name: 'a 2026 timestamp beyond 2^53 ns', ns: '1795323301717123456', ms: 1795323301717 },
    { name: 'numbers are accepted too', ns: 5_000_000, ms: 5 },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(nsToMs(c.ns), c.ms));
  }
  test('ms to ns is exact as a string', () => assert.equal(msToNs(1795323301717), '1795323301717000000'));
  test('empty and missing are zero', () => {
    assert.equal(nsToMs(''), 0);
    assert.equal(nsToMs(undefined), 0);
  });
});

describe('cri pod sandbox config', () => {
  const cases: { name: string; security: Partial<PodSandboxConfig['linux']['security']>; want: { network: string; pid: string; ipc: string } }[] = [
    { name: 'pod network, per-container pid', security: {}, want: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
    { name: 'hostNetwork', security: { hostNetwork: true }, want: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
    { name: 'hostPID and hostIPC', security: { hostPID: true, hostIPC: true }, want: { network: 'POD', pid: 'NODE', ipc: 'NODE' } },
    { name: 'shareProcessNamespace', security: { sharePID: true }, want: { network: 'POD', pid: 'POD', ipc: 'POD' } },
    { name: 'hostPID wins over sharing', security: { sharePID: true, hostPID: true }, want: { network: 'POD', pid: 'NODE', ipc: 'POD' } },
  ];
  for (const c of cases) {
    test(`namespace options: ${c.name}`, () => {
      const w = podSandboxConfigToWire(sandbox(c.security)) as { linux: { security_context: { namespace_options: object } } };
      assert.deepEqual(w.linux.security_context.namespace_options, c.want);
    });
  }
  test('host-network sandboxes get no hostname (no UTS namespace of their own)', () => {
    assert.equal((podSandboxConfigToWire(sandbox({ hostNetwork: true })) as { hostname: string }).hostname, '');
    assert.equal((podSandboxConfigToWire(sandbox()) as { hostname: string }).hostname, 'web');
  });
  test('metadata, dns, port mappings, cgroup parent and sysctls are carried', () => {
    const w = podSandboxConfigToWire(sandbox()) as Record<string, any>;
    assert.deepEqual(w.metadata, { name: 'web', uid: 'u-1', namespace: 'default', attempt: 2 });
    assert.equal(w.log_directory, '/logs/default_web_u-1');
    assert.deepEqual(w.dns_config, { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] });
    assert.deepEqual(w.port_mappings, [
      { protocol: 'TCP', container_port: 80, host_port: 8080, host_ip: '' },
      { protocol: 'UDP', container_port: 53, host_port: 0, host_ip: '' },
    ]);
    assert.equal(w.linux.cgroup_parent, '/kubepods/pod-u-1');
    assert.deepEqual(w.linux.sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0' });
    assert.deepEqual(w.labels, { app: 'web' });
    assert.deepEqual(w.annotations, { note: 'x' });
  });
});

describe('cri container config', () => {
  const base: ContainerConfig = {
    metadata: { name: 'app', attempt: 1 },
    image: 'sha256:abc',
    command: ['sh'],
    args: ['-c', 'true'],
    workingDir: '/w',
    envs: [{ key: 'A', value: '1' }],
    mounts: [{ containerPath: '/data', hostPath: '/h/data', readonly: true }],
    labels: { l: '1' },
    annotations: {},
    logPath: 'app/1.log',
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: { cpuPeriod: 100000, cpuQuota: 50000, cpuShares: 512, memoryLimitInBytes: 64 << 20 },
      securityContext: { runAsUser: 1000, runAsGroup: 2000, readonlyRootfs: true, capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] } },
    },
  };
  test('fields map to their CRI names', () => {
    const w = containerConfigToWire(base, sandbox()) as Record<string, any>;
    assert.deepEqual(w.image, { image: 'sha256:abc' });
    assert.deepEqual(w.command, ['sh']);
    assert.deepEqual(w.args, ['-c', 'true']);
    assert.equal(w.working_dir, '/w');
    assert.deepEqual(w.envs, [{ key: 'A', value: '1' }]);
    assert.deepEqual(w.mounts, [{ container_path: '/data', host_path: '/h/data', readonly: true, propagation: 'PROPAGATION_PRIVATE' }]);
    assert.equal(w.log_path, 'app/1.log');
    assert.deepEqual(w.linux.resources, { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 64 << 20, oom_score_adj: 0 });
    const sc = w.linux.security_context;
    assert.deepEqual(sc.run_as_user, { value: 1000 });
    assert.deepEqual(sc.run_as_group, { value: 2000 });
    assert.equal(sc.readonly_rootfs, true);
    assert.deepEqual(sc.capabilities, { add_capabilities: ['NET_ADMIN'], drop_capabilities: ['ALL'] });
  });
  test('containers follow the sandbox namespaces (hostNetwork)', () => {
    const w = containerConfigToWire(base, sandbox({ hostNetwork: true })) as Record<string, any>;
    assert.equal(w.linux.security_context.namespace_options.network, 'NODE');
  });
  test('a PID target joins that container\'s namespace, unless the pod uses the host\'s', () => {
    const targeted = { ...base, linux: { securityContext: { pidTargetId: 'c0ffee' } } };
    const w = containerConfigToWire(targeted, sandbox()) as Record<string, any>;
    assert.deepEqual(w.linux.security_context.namespace_options, { network: 'POD', pid: 'TARGET', ipc: 'POD', target_id: 'c0ffee' });
    const shared = containerConfigToWire(targeted, sandbox({ sharePID: true })) as Record<string, any>;
    assert.deepEqual(shared.linux.security_context.namespace_options, { network: 'POD', pid: 'POD', ipc: 'POD' }, 'a shared namespace already holds the target');
    const host = containerConfigToWire(targeted, sandbox({ hostPID: true })) as Record<string, any>;
    assert.deepEqual(host.linux.security_context.namespace_options, { network: 'POD', pid: 'NODE', ipc: 'POD' });
  });
  test('no user asked for leaves run_as_user unset', () => {
    const w = containerConfigToWire({ ...base, linux: {} }, sandbox()) as Record<string, any>;
    assert.equal(w.linux.security_context.run_as_user, null);
    assert.equal(w.linux.resources, null);
  });
});

describe('cri container status', () => {
  const wire: WireContainerStatus = {
    id: 'c1',
    metadata: { name: 'app', attempt: 0 },
    state: 'CONTAINER_EXITED',
    created_at: '1000000000',
    started_at: '2000000000',
    finished_at: '3000000000',
    exit_code: 137,
    image: { image: 'reg/busybox:1' },
    image_ref: 'reg/busybox@sha256:ff',
    reason: 'OOMKilled',
    message: '',
    labels: { a: 'b' },
    annotations: {},
    log_path: '/logs/app/0.log',
  };
  const cases: { name: string; over: Partial<WireContainerStatus>; check: (s: ReturnType<typeof containerStatusFromWire>) => void }[] = [
    { name: 'exited with OOMKilled', over: {}, check: (s) => {
      assert.equal(s.createdAt, 1000);
      assert.equal(s.startedAt, 2000);
      assert.equal(s.finishedAt, 3000);
      assert.equal(s.exitCode, 137);
      assert.equal(s.reason, 'OOMKilled');
      assert.equal(s.message, undefined);
      assert.equal(s.podSandboxId, 'sb');
      assert.equal(s.imageRef, 'reg/busybox@sha256:ff');
    } },
    { name: 'running has no finish or exit code', over: { state: 'CONTAINER_RUNNING', finished_at: '0', exit_code: 0, reason: '' }, check: (s) => {
      assert.equal(s.finishedAt, undefined);
      assert.equal(s.exitCode, undefined);
      assert.equal(s.reason, undefined);
    } },
    { name: 'a start recorded after the exit is clamped to the finish', over: { started_at: '3000500000' }, check: (s) => {
      assert.equal(s.startedAt, 3000);
      assert.equal(s.finishedAt, 3000);
    } },
    { name: 'created has no start', over: { state: 'CONTAINER_CREATED', started_at: '0', finished_at: '0', reason: '' }, check: (s) => assert.equal(s.startedAt, undefined) },
  ];
  for (const c of cases) test(c.name, () => c.check(containerStatusFromWire({ ...wire, ...c.over }, 'sb')));
});

describe('cri images', () => {
  test('verbose info gives the image config', () => {
    const info = { info: JSON.stringify({ imageSpec: { config: { Entrypoint: ['/pause'], Cmd: null, Env: ['PATH=/bin'], WorkingDir: '/w', User: '65535', StopSignal: 'SIGINT' } } }) };
    const img = imageFromWire({ id: 'sha256:1', repo_tags: ['a:1'], repo_digests: [], size: '42' }, imageConfigFromInfo(info));
    assert.deepEqual(img, { id: 'sha256:1', repoTags: ['a:1'], repoDigests: [], size: 42, config: { entrypoint: ['/pause'], env: ['PATH=/bin'], workingDir: '/w', user: '65535', stopSignal: 'SIGINT' } });
  });
  test('no info means no config', () => assert.equal(imageConfigFromInfo({}), undefined));
  test('malformed info means no config', () => assert.equal(imageConfigFromInfo({ info: '{' }), undefined));
});

describe('cri runtime status', () => {
  test('both ready', () => {
    assert.deepEqual(runtimeStatusFromWire([
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: true, reason: '', message: '' },
    ]), { runtimeReady: true, networkReady: true });
  });
  test('network not ready carries the reason', () => {
    const s = runtimeStatusFromWire([
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni config uninitialized' },
    ]);
    assert.equal(s.networkReady, false);
    assert.match(s.message!, /NetworkPluginNotReady.*cni config uninitialized/);
  });
  test('missing conditions are not ready', () => assert.deepEqual(runtimeStatusFromWire([]), { runtimeReady: false, networkReady: false }));
});

describe('cri remotecommand status', () => {
  const cases: { name: string; raw: string; protocol: string; want: { exitCode: number } | { error: string } }[] = [
    { name: 'empty is success', raw: '', protocol: 'v4.channel.k8s.io', want: { exitCode: 0 } },
    { name: 'Success status', raw: '{"metadata":{},"status":"Success"}', protocol: 'v4.channel.k8s.io', want: { exitCode: 0 } },
    {
      name: 'non-zero exit code',
      raw: '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 7","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}',
      protocol: 'v5.channel.k8s.io',
      want: { exitCode: 7 },
    },
    { name: 'other failure', raw: '{"status":"Failure","message":"executable file not found"}', protocol: 'v4.channel.k8s.io', want: { error: 'executable file not found' } },
    { name: 'plain text before v4', raw: 'boom', protocol: 'channel.k8s.io', want: { error: 'boom' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseRemoteCommandStatus(c.raw, c.protocol), c.want));
});

describe('cri endpoint', () => {
  const cases: { name: string; input: string; want?: string; error?: RegExp }[] = [
    { name: 'unix url', input: 'unix:///run/containerd/containerd.sock', want: 'unix:///run/containerd/containerd.sock' },
    { name: 'bare path', input: '/run/crio/crio.sock', want: 'unix:///run/crio/crio.sock' },
    { name: 'tcp refused', input: 'tcp://127.0.0.1:1234', error: /only unix sockets/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (c.error) assert.throws(() => criTarget(c.input), c.error);
      else assert.equal(criTarget(c.input), c.want);
    });
  }
});
