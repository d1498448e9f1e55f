import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, PodSandboxConfig } from '../interface.js';
import { CAPABILITY_BITS, DEFAULT_CAPABILITIES, capabilitiesFromMask, effectiveCapabilities } from './capabilities.js';
import { buildSpec, containerArgv, mergeEnv, type OciSpec, type SpecInput } from './spec.js';

const sandbox = (over: Partial<PodSandboxConfig['linux']['security']> = {}): PodSandboxConfig => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 },
  hostname: 'web',
  logDirectory: '/logs',
  portMappings: [],
  labels: {},
  annotations: {},
  linux: { security: { hostNetwork: false, ...over }, sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.shm_rmid_forced': '1' } },
});

const container = (over: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name: 'c', attempt: 0 },
  image: 'img',
  envs: [],
  mounts: [],
  labels: {},
  annotations: {},
  logPath: 'c/0.log',
  stdin: false,
  stdinOnce: false,
  tty: false,
  linux: {},
  ...over,
});

function spec(over: Partial<SpecInput> = {}): OciSpec {
  const r = buildSpec({
    config: container(),
    sandbox: sandbox(),
    image: { entrypoint: ['/entry'], cmd: ['serve'], env: ['PATH=/img/bin', 'A=image'] },
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostBounding: CAPABILITY_BITS,
    cgroupsPath: '/k8ts/p/c/ctr',
    netnsPath: '/var/run/netns/k8ts-x',
    etc: { hosts: '/s/hosts', resolvConf: '/s/resolv.conf', hostname: '/s/hostname' },
    ...over,
  });
  if (!r.ok) throw new Error(r.message);
  return r.spec;
}

describe('containerArgv', () => {
  const image = { entrypoint: ['/entry'], cmd: ['default-arg'] };
  const cases: { name: string; command?: string[]; args?: string[]; image?: typeof image | Record<string, never>; want: string[] | string }[] = [
    { name: 'image entrypoint and cmd', want: ['/entry', 'default-arg'] },
    { name: 'args replace cmd', args: ['x'], want: ['/entry', 'x'] },
    { name: 'command replaces entrypoint and drops cmd', command: ['/bin/sh'], want: ['/bin/sh'] },
    { name: 'command and args', command: ['/bin/sh', '-c'], args: ['echo'], want: ['/bin/sh', '-c', 'echo'] },
    { name: 'nothing at all', image: {}, want: 'no command specified' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = containerArgv({ command: c.command, args: c.args }, c.image ?? image);
      if (typeof c.want === 'string') assert.deepEqual(r, { ok: false, message: c.want });
      else assert.deepEqual(r, { ok: true, args: c.want });
    });
  }
});

describe('mergeEnv', () => {
  test('later values replace earlier ones in place', () => {
    assert.deepEqual(mergeEnv(['PATH=/a', 'X=1'], ['Y=2', 'PATH=/b'], ['X=3']), ['PATH=/b', 'X=3', 'Y=2']);
  });
});

describe('capabilities', () => {
  const cases: { name: string; add?: string[]; drop?: string[]; privileged?: boolean; has: string[]; hasNot: string[] }[] = [
    { name: 'defaults', has: ['CAP_CHOWN', 'CAP_KILL'], hasNot: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] },
    { name: 'add without prefix', add: ['NET_ADMIN'], has: ['CAP_NET_ADMIN', 'CAP_CHOWN'], hasNot: ['CAP_SYS_ADMIN'] },
    { name: 'drop one', drop: ['chown'], has: ['CAP_KILL'], hasNot: ['CAP_CHOWN'] },
    { name: 'drop ALL then add one', drop: ['ALL'], add: ['NET_BIND_SERVICE'], has: ['CAP_NET_BIND_SERVICE'], hasNot: ['CAP_CHOWN', 'CAP_KILL'] },
    { name: 'privileged gets the host bounding set only', privileged: true, has: ['CAP_SYS_ADMIN'], hasNot: ['CAP_SYS_RESOURCE'] },
  ];
  const host = CAPABILITY_BITS.filter((c) => c !== 'CAP_SYS_RESOURCE');
  for (const c of cases) {
    test(c.name, () => {
      const caps = effectiveCapabilities({ add: c.add, drop: c.drop, privileged: c.privileged }, host);
      for (const h of c.has) assert.ok(caps.includes(h), `has ${h}`);
      for (const h of c.hasNot) assert.ok(!caps.includes(h), `lacks ${h}`);
    });
  }
  test('a CapBnd mask names its bits', () => {
    const all = capabilitiesFromMask('000001fffeffffff');
    assert.ok(!all.includes('CAP_SYS_RESOURCE'));
    assert.ok(all.includes('CAP_SYS_ADMIN') && all.includes('CAP_CHECKPOINT_RESTORE'));
    assert.deepEqual(capabilitiesFromMask('1'), ['CAP_CHOWN']);
  });
});

describe('buildSpec', () => {
  test('process from image and config', () => {
    const s = spec({ config: container({ args: ['--port', '80'], workingDir: '/srv', envs: [{ key: 'A', value: 'pod' }] }) });
    assert.deepEqual(s.process.args, ['/entry', '--port', '80']);
    assert.equal(s.process.cwd, '/srv');
    assert.deepEqual(s.process.env, ['PATH=/img/bin', 'A=pod', 'HOSTNAME=web']);
    assert.deepEqual(s.process.capabilities.effective, DEFAULT_CAPABILITIES);
    assert.equal(s.hostname, 'web');
    assert.equal(s.linux.cgroupsPath, '/k8ts/p/c/ctr');
    assert.equal(s.process.oomScoreAdj, undefined);
  });

  test('namespaces: the pod netns by path, host network shares the host', () => {
    assert.deepEqual(spec().linux.namespaces, [{ type: 'mount' }, { type: 'pid' }, { type: 'ipc' }, { type: 'network', path: '/var/run/netns/k8ts-x' }, { type: 'uts' }]);
    const host = spec({ sandbox: sandbox({ hostNetwork: true, hostPID: true }), netnsPath: undefined });
    assert.deepEqual(host.linux.namespaces, [{ type: 'mount' }, { type: 'ipc' }]);
    assert.equal(host.hostname, undefined);
    assert.deepEqual(host.linux.sysctl, { 'kernel.shm_rmid_forced': '1' }, 'no network sysctls on the host network');
    const targeted = spec({ pidnsPath: '/proc/42/ns/pid' });
    assert.deepEqual(targeted.linux.namespaces.find((n: { type: string }) => n.type === 'pid'), { type: 'pid', path: '/proc/42/ns/pid' });
  });

  test('oomScoreAdj is never negative', () => {
    const cases = [
      { name: 'guaranteed', v: -997, want: 0 },
      { name: 'burstable', v: 500, want: 500 },
      { name: 'beyond', v: 5000, want: 1000 },
    ];
    for (const c of cases) assert.equal(spec({ config: container({ linux: { resources: { oomScoreAdj: c.v } } }) }).process.oomScoreAdj, c.want, c.name);
  });

  test('security context', () => {
    const s = spec({
      config: container({ linux: { securityContext: { readonlyRootfs: true, noNewPrivs: true } } }),
      user: { uid: 1000, gid: 1000, additionalGids: [10, 2000] },
    });
    assert.equal(s.root.readonly, true);
    assert.equal(s.process.noNewPrivileges, true);
    assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [10, 2000] });
    assert.deepEqual(s.process.capabilities.effective, [], 'a non-root user has no effective capabilities');
    assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES);
    assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
    const p = spec({ config: container({ linux: { securityContext: { privileged: true } } }) });
    assert.equal(p.linux.maskedPaths, undefined);
    assert.deepEqual(p.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(!p.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  });

  test('mounts: defaults, pod files, volumes parents first with propagation', () => {
    const s = spec({
      config: container({
        mounts: [
          { containerPath: '/data/sub', hostPath: '/h/sub', readonly: true },
          { containerPath: '/data', hostPath: '/h', readonly: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
          { containerPath: '/etc/hosts', hostPath: '/custom/hosts', readonly: true },
        ],
      }),
    });
    const dests = s.mounts.map((m) => m.destination);
    assert.deepEqual(dests.slice(0, 7), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
    assert.ok(dests.indexOf('/data') < dests.indexOf('/data/sub'));
    assert.equal(dests.filter((d) => d === '/etc/hosts').length, 1, 'a volume at /etc/hosts wins');
    assert.equal(s.mounts.find((m) => m.destination === '/etc/hosts')!.source, '/custom/hosts');
    assert.deepEqual(s.mounts.find((m) => m.destination === '/data/sub')!.options, ['rbind', 'rprivate', 'ro']);
    assert.deepEqual(s.mounts.find((m) => m.destination === '/data')!.options, ['rbind', 'rslave']);
    assert.equal(s.linux.rootfsPropagation, 'rslave');
  });

  test('tty adds TERM', () => {
    assert.ok(spec({ config: container({ tty: true }) }).process.env.includes('TERM=xterm'));
  });
});
