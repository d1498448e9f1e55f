import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatusT, PodT } from '../../api/core/v1/types.js';
import { Backoff, formatDuration } from './backoff.js';
import { parseResolvConf, podDNSConfig } from './dns.js';
import { podPhase } from './pod-status.js';
import { podQOSClass } from './qos.js';
import { linuxResources, sandboxConfig, securityContext } from './runtime-config.js';

describe('Backoff', () => {
  test('first failure restarts at once, then 10s doubling to the 5 minute cap', () => {
    const b = new Backoff();
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      assert.equal(b.isInBackOffSince('k', t, t), i > 0, `failure ${i}`);
      b.next('k', t);
      delays.push(b.get('k'));
      t += b.get('k');
    }
    assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });
  test('a key quiet for ten minutes starts over', () => {
    const b = new Backoff();
    b.next('k', 0);
    b.next('k', 1000);
    assert.equal(b.get('k'), 20_000);
    b.next('k', 1000 + 600_001);
    assert.equal(b.get('k'), 10_000);
  });
  const durations: [number, string][] = [[10_000, '10s'], [80_000, '1m20s'], [300_000, '5m0s']];
  for (const [ms, want] of durations) test(`formats ${ms} ms as ${want}`, () => assert.equal(formatDuration(ms), want));
});

describe('podDNSConfig', () => {
  const host = parseResolvConf('nameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch corp.example\noptions edns0\n');
  const settings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host };
  const pod = (spec: Partial<NonNullable<PodT['spec']>>): PodT => ({ metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [], ...spec } });
  const cases: { name: string; spec: Partial<NonNullable<PodT['spec']>>; clusterDNS?: string[]; want: { servers: string[]; searches: string[]; options: string[] }; warns?: boolean }[] = [
    { name: 'ClusterFirst', spec: {}, want: { servers: ['10.96.0.10'], searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] } },
    { name: 'ClusterFirst with hostNetwork acts as Default', spec: { hostNetwork: true }, want: { servers: ['1.1.1.1', '8.8.8.8'], searches: ['corp.example'], options: ['edns0'] } },
    { name: 'ClusterFirstWithHostNet', spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: { servers: ['10.96.0.10'], searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] } },
    { name: 'Default', spec: { dnsPolicy: 'Default' }, want: { servers: ['1.1.1.1', '8.8.8.8'], searches: ['corp.example'], options: ['edns0'] } },
    {
      name: 'None with dnsConfig only',
      spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } },
      want: { servers: ['9.9.9.9'], searches: ['a.example'], options: ['ndots:2', 'rotate'] },
    },
    { name: 'dnsConfig options override by name', spec: { dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }, want: { servers: ['10.96.0.10'], searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:1'] } },
    { name: 'ClusterFirst without cluster DNS falls back to Default', spec: {}, clusterDNS: [], want: { servers: ['1.1.1.1', '8.8.8.8'], searches: ['corp.example'], options: ['edns0'] }, warns: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = podDNSConfig(pod(c.spec), { ...settings, clusterDNS: c.clusterDNS ?? settings.clusterDNS });
      assert.deepEqual(got.config, c.want);
      assert.equal(!!got.warning, !!c.warns);
    });
  }
});

describe('podQOSClass', () => {
  const pod = (...res: Record<string, Record<string, string>>[]): PodT => ({ spec: { containers: res.map((r, i) => ({ name: `c${i}`, resources: r })) } });
  const cases: [string, PodT, string][] = [
    ['nothing set', pod({}), 'BestEffort'],
    ['limits only (requests default to them)', pod({ limits: { cpu: '1', memory: '1Gi' } }), 'Guaranteed'],
    ['equal requests and limits', pod({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), 'Guaranteed'],
    ['requests below limits', pod({ requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } }), 'Burstable'],
    ['one container without limits', pod({ limits: { cpu: '1', memory: '1Gi' } }, {}), 'Burstable'],
    ['only a cpu request', pod({ requests: { cpu: '100m' } }), 'Burstable'],
  ];
  for (const [name, p, want] of cases) test(name, () => assert.equal(podQOSClass(p), want));
});

describe('podPhase', () => {
  const running: ContainerStatusT = { name: 'a', image: '', imageID: '', ready: true, restartCount: 0, started: true, state: { running: {} } };
  const term = (code: number): ContainerStatusT => ({ ...running, ready: false, started: false, state: { terminated: { exitCode: code } } });
  const crashloop: ContainerStatusT = { ...running, ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };
  const creating: ContainerStatusT = { ...running, ready: false, state: { waiting: { reason: 'ContainerCreating' } } };
  const pod = (policy: string, init = false): PodT => ({ spec: { restartPolicy: policy as 'Always', containers: [{ name: 'a' }], initContainers: init ? [{ name: 'i' }] : undefined } });
  const cases: [string, PodT, ContainerStatusT[], ContainerStatusT[], string][] = [
    ['waiting to be created', pod('Always'), [], [creating], 'Pending'],
    ['running', pod('Always'), [], [running], 'Running'],
    ['crash looping stays Running', pod('Always'), [], [crashloop], 'Running'],
    ['exited 0 with Always is Running (about to restart)', pod('Always'), [], [term(0)], 'Running'],
    ['exited 0 with OnFailure is Succeeded', pod('OnFailure'), [], [term(0)], 'Succeeded'],
    ['exited 1 with OnFailure is Running (restarting)', pod('OnFailure'), [], [term(1)], 'Running'],
    ['exited 1 with Never is Failed', pod('Never'), [], [term(1)], 'Failed'],
    ['init running is Pending', pod('Always', true), [{ ...running, name: 'i' }], [{ ...creating }], 'Pending'],
    ['init failed with Never is Failed', pod('Never', true), [{ ...term(1), name: 'i' }], [creating], 'Failed'],
    ['init failed with OnFailure is Pending', pod('OnFailure', true), [{ ...crashloop, name: 'i' }], [creating], 'Pending'],
  ];
  for (const [name, p, init, app, want] of cases) test(name, () => assert.equal(podPhase(p, init, app), want));
});

describe('container translation', () => {
  test('cpu and memory become cgroup settings', () => {
    assert.deepEqual(linuxResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '64Mi' } } }), { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 64 * 1024 * 1024 });
    assert.deepEqual(linuxResources({ name: 'c' }), { cpuShares: 2 });
  });
  const nonRoot: [string, PodT, string | undefined, RegExp | undefined][] = [
    ['runAsUser 0 breaks runAsNonRoot', { metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { securityContext: { runAsNonRoot: true, runAsUser: 0 }, containers: [] } }, undefined, /^container's runAsUser breaks non-root policy \(pod: "p_n\(u\)", container: c\)$/],
    ['image user root breaks it', { metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { securityContext: { runAsNonRoot: true }, containers: [] } }, '', /^container has runAsNonRoot and image will run as root/],
    ['named image user cannot be verified', { metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { securityContext: { runAsNonRoot: true }, containers: [] } }, 'nobody', /non-numeric user \(nobody\)/],
    ['numeric non-root image user is fine', { metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { securityContext: { runAsNonRoot: true }, containers: [] } }, '65534', undefined],
  ];
  test('the pod\'s namespace choices reach the sandbox', () => {
    const pod = (spec: Partial<NonNullable<PodT['spec']>>): PodT => ({ metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { containers: [], ...spec } });
    const sec = (p: PodT) => sandboxConfig(p, { rootDir: '/r', attempt: 0 }).linux.security;
    assert.deepEqual(sec(pod({})), { hostNetwork: false, hostPID: false, hostIPC: false, sharePID: false });
    assert.deepEqual(sec(pod({ shareProcessNamespace: true, hostIPC: true })), { hostNetwork: false, hostPID: false, hostIPC: true, sharePID: true });
  });
  for (const [name, pod, user, want] of nonRoot) {
    test(name, () => {
      const r = securityContext(pod, { name: 'c' }, user);
      if (!want) assert.equal(r.ok, true);
      else assert.match(r.ok ? '' : r.message, want);
    });
  }
});
