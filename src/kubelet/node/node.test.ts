import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { defaultThresholds, conditionsChanged, nodeConditions, parseLoadavgThreads, type RuntimeHealth } from './conditions.js';
import { firstIPv4, goArch, nodeCapacity, parseMeminfo, parseOSRelease } from './host-info.js';
import { caMatchesToken, nodeCertificateRequest, parseJoinToken } from './join.js';
import { parseNodeLabels, parseNodeTaints } from './node-flags.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

describe('host parsing', () => {
  test('meminfo fields in bytes', () => {
    const m = parseMeminfo('MemTotal:       16331208 kB\nMemFree:         1000 kB\nMemAvailable:    8000000 kB\nHugePages_Total:       0\n');
    assert.equal(m.MemTotal, 16331208 * 1024);
    assert.equal(m.MemAvailable, 8000000 * 1024);
    assert.equal(m.HugePages_Total, 0);
  });

  const osCases: { name: string; text: string; want: string }[] = [
    { name: 'debian', text: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n', want: 'Debian GNU/Linux 12 (bookworm)' },
    { name: 'unquoted', text: 'NAME=Alpine\nPRETTY_NAME=Alpine-3.19\n', want: 'Alpine-3.19' },
    { name: 'escaped quote', text: 'PRETTY_NAME="A \\"B\\" C"\n', want: 'A "B" C' },
    { name: 'name only', text: 'NAME="Foo"\n', want: 'Foo' },
    { name: 'missing file', text: '', want: 'Linux' },
  ];
  for (const c of osCases) test(`os-release: ${c.name}`, () => assert.equal(parseOSRelease(c.text), c.want));

  test('Go architecture names', () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
    assert.equal(goArch('ppc64'), 'ppc64le');
  });

  const capCases: { name: string; mem: number; fs: number; cpus: number; want: { capacity: Record<string, string>; allocatable: Record<string, string> } }[] = [
    {
      name: '2 cpus, 4 GiB, 100 GiB disk',
      cpus: 2,
      mem: 4 * 1024 ** 3,
      fs: 100 * 1024 ** 3,
      want: {
        capacity: { cpu: '2', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: '110', memory: '4194304Ki', 'ephemeral-storage': '104857600Ki' },
        allocatable: { cpu: '2', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: '110', memory: '4091904Ki', 'ephemeral-storage': '96636764160' },
      },
    },
    {
      name: 'less memory than the reserve',
      cpus: 1,
      mem: 50 * 1024 * 1024,
      fs: 0,
      want: {
        capacity: { cpu: '1', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: '110', memory: '51200Ki', 'ephemeral-storage': '0Ki' },
        allocatable: { cpu: '1', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: '110', memory: '0Ki', 'ephemeral-storage': '0' },
      },
    },
  ];
  for (const c of capCases) test(`capacity: ${c.name}`, () => assert.deepEqual(nodeCapacity({ cpus: c.cpus, memTotalBytes: c.mem, fsTotalBytes: c.fs }), c.want));

  test('first IPv4 skips loopback and IPv6', () => {
    const ifs = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: '192.168.1.7', family: 'IPv4', internal: false },
      ],
    } as unknown as Parameters<typeof firstIPv4>[0];
    assert.equal(firstIPv4(ifs), '192.168.1.7');
    assert.equal(firstIPv4({}), '127.0.0.1');
  });

  test('threads in use from loadavg', () => {
    assert.equal(parseLoadavgThreads('0.10 0.20 0.30 2/345 6789\n'), 345);
    assert.equal(parseLoadavgThreads('garbage'), undefined);
  });
});

describe('node conditions', () => {
  const healthy: RuntimeHealth = { ok: true, status: { runtimeReady: true, networkReady: true } };
  const Gi = 1024 ** 3;
  const roomy = { memAvailableBytes: 2 * Gi, nodefs: { totalBytes: 100 * Gi, availableBytes: 50 * Gi, inodesFree: 1, inodesTotal: 2 }, pids: { max: 4_000_000, used: 300 } };
  const cases: { name: string; runtime: RuntimeHealth; signals: typeof roomy | object; want: string }[] = [
    { name: 'all well', runtime: healthy, signals: roomy, want: 'MemoryPressure=False DiskPressure=False PIDPressure=False Ready=True/KubeletReady' },
    { name: 'memory below 100Mi', runtime: healthy, signals: { ...roomy, memAvailableBytes: 99 * 1024 * 1024 }, want: 'MemoryPressure=True DiskPressure=False PIDPressure=False Ready=True/KubeletReady' },
    { name: 'nodefs below 10%', runtime: healthy, signals: { ...roomy, nodefs: { ...roomy.nodefs, availableBytes: 9 * Gi } }, want: 'MemoryPressure=False DiskPressure=True PIDPressure=False Ready=True/KubeletReady' },
    { name: 'pids nearly exhausted', runtime: healthy, signals: { ...roomy, pids: { max: 1000, used: 950 } }, want: 'MemoryPressure=False DiskPressure=False PIDPressure=True Ready=True/KubeletReady' },
    { name: 'runtime down', runtime: { ok: false, message: 'connection refused' }, signals: roomy, want: 'MemoryPressure=False DiskPressure=False PIDPressure=False Ready=False/KubeletNotReady' },
    { name: 'network not ready', runtime: { ok: true, status: { runtimeReady: true, networkReady: false, message: 'no bridge' } }, signals: roomy, want: 'MemoryPressure=False DiskPressure=False PIDPressure=False Ready=False/KubeletNotReady' },
    { name: 'unknown signals mean no pressure', runtime: healthy, signals: {}, want: 'MemoryPressure=False DiskPressure=False PIDPressure=False Ready=True/KubeletReady' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = nodeConditions(c.runtime, c.signals, defaultThresholds)
        .map((x) => `${x.type}=${x.status}${x.type === 'Ready' ? `/${x.reason}` : ''}`)
        .join(' ');
      assert.equal(got, c.want);
    });
  }

  test('messages are upstream texts', () => {
    const [mem, disk, pid, ready] = nodeConditions({ ok: false, message: 'boom' }, {});
    assert.equal(mem!.message, 'kubelet has sufficient memory available');
    assert.equal(disk!.message, 'kubelet has no disk pressure');
    assert.equal(pid!.message, 'kubelet has sufficient PID available');
    assert.equal(ready!.message, 'container runtime is down: boom');
  });

  test('change detection ignores timestamps', () => {
    const a = nodeConditions(healthy, roomy).map((c) => ({ ...c, lastHeartbeatTime: 'x' }));
    assert.equal(conditionsChanged(a, nodeConditions(healthy, roomy)), false);
    assert.equal(conditionsChanged(a, nodeConditions({ ok: false, message: 'x' }, roomy)), true);
    assert.equal(conditionsChanged(undefined, a), true);
  });
});

describe('node flags', () => {
  const labels: { name: string; in: string[]; want: ReturnType<typeof parseNodeLabels> }[] = [
    { name: 'comma separated and repeated', in: ['a=1,b=2', 'example.com/role=web'], want: { ok: true, value: { a: '1', b: '2', 'example.com/role': 'web' } } },
    { name: 'empty value', in: ['x='], want: { ok: true, value: { x: '' } } },
    { name: 'no equals', in: ['x'], want: { ok: false, message: 'invalid label "x": want key=value' } },
    { name: 'bad key', in: ['-x=1'], want: { ok: false, message: 'invalid label key "-x": must be a qualified name' } },
  ];
  for (const c of labels) test(`labels: ${c.name}`, () => assert.deepEqual(parseNodeLabels(c.in), c.want));

  const taints: { name: string; in: string[]; want: ReturnType<typeof parseNodeTaints> }[] = [
    { name: 'key=value:effect', in: ['dedicated=gpu:NoSchedule'], want: { ok: true, value: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } },
    { name: 'key:effect', in: ['spot:PreferNoSchedule,x=y:NoExecute'], want: { ok: true, value: [{ key: 'spot', effect: 'PreferNoSchedule' }, { key: 'x', value: 'y', effect: 'NoExecute' }] } },
    { name: 'bad effect', in: ['a=b:Never'], want: { ok: false, message: 'invalid taint effect: Never, unsupported taint effect' } },
    { name: 'no effect', in: ['a=b'], want: { ok: false, message: 'invalid taint spec: a=b' } },
    { name: 'duplicate', in: ['a:NoSchedule', 'a=x:NoSchedule'], want: { ok: false, message: 'duplicate taint a:NoSchedule' } },
  ];
  for (const c of taints) test(`taints: ${c.name}`, () => assert.deepEqual(parseNodeTaints(c.in), c.want));
});

describe('join token', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const hash = createHash('sha256').update(ca).digest('hex');
  const cases: { name: string; raw: string; want: ReturnType<typeof parseJoinToken> }[] = [
    { name: 'full token', raw: `K10${hash}::server:abc`, want: { ok: true, value: { caHash: hash, secret: 'abc' } } },
    { name: 'bare secret', raw: 'abc\n', want: { ok: true, value: { secret: 'abc' } } },
    { name: 'truncated hash', raw: 'K10abc::server:x', want: { ok: false, message: 'invalid token format: want K10<sha256 hex>::<user>:<secret>' } },
    { name: 'empty', raw: '', want: { ok: false, message: 'token is empty' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseJoinToken(c.raw), c.want));

  test('the CA must match the pinned hash exactly', () => {
    assert.equal(caMatchesToken(ca, { caHash: hash, secret: 'x' }), true);
    assert.equal(caMatchesToken(ca.replace('MIIB', 'MIIC'), { caHash: hash, secret: 'x' }), false);
    assert.equal(caMatchesToken('anything', { secret: 'x' }), true);
  });

  test('certificate requests name the node and carry the SANs', async () => {
    const r = await nodeCertificateRequest('worker-2', { ipAddresses: ['10.0.0.9'], dnsNames: ['worker-2'] });
    const csr = new x509.Pkcs10CertificateRequest(r.csrPEM);
    assert.equal(csr.subject, 'O=system:nodes, CN=system:node:worker-2');
    assert.ok(await csr.verify());
    const san = new x509.SubjectAlternativeNameExtension(csr.getExtension('2.5.29.17')!.rawData).names.toJSON();
    assert.deepEqual(san, [{ type: 'dns', value: 'worker-2' }, { type: 'ip', value: '10.0.0.9' }]);
    assert.match(r.keyPEM, /^-----BEGIN PRIVATE KEY-----/);
  });
});
