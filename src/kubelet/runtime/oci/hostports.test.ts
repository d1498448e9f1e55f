import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortMapping } from '../interface.js';
import {
  admitHostports, checkMappings, effectiveMappings, findHostportConflict, hostportChains, hostportRules, hostportSandbox, MASQ_MARK, type SandboxLike,
  sandboxChain, splitRule,
} from './hostports.js';

const ID = 'ab12cd34ef56ab78cd90ef12ab34cd56ef78ab90cd12ef34ab56cd78ef90ab12';
const CHAIN = 'K8TS-HPD-ab12cd34ef56ab78';

const tcp = (hostPort: number, containerPort: number, hostIP?: string): PortMapping => ({ protocol: 'TCP', hostPort, containerPort, ...(hostIP ? { hostIP } : {}) });
const udp = (hostPort: number, containerPort: number, hostIP?: string): PortMapping => ({ protocol: 'UDP', hostPort, containerPort, ...(hostIP ? { hostIP } : {}) });

const mark = (proto: string, src: string, port: number, dst?: string) => ['-p', proto, ...(dst ? ['-d', `${dst}/32`] : []), '-s', src, '--dport', String(port), '-j', 'MARK', '--set-xmark', MASQ_MARK];

describe('hostportRules', () => {
  const cases: { name: string; mappings: PortMapping[]; rules: string[][]; jumps: string[][] }[] = [
    { name: 'no host ports: nothing', mappings: [{ protocol: 'TCP', containerPort: 80 }, tcp(0, 81)], rules: [], jumps: [] },
    {
      name: 'TCP on every address: hairpin and localhost marked, then DNAT',
      mappings: [tcp(8080, 80)],
      rules: [
        mark('tcp', '10.244.0.5/32', 8080),
        mark('tcp', '127.0.0.1/32', 8080),
        ['-p', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '10.244.0.5:80'],
      ],
      jumps: [['-p', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', 'ns/web:8080/tcp', '-j', CHAIN]],
    },
    {
      name: 'UDP with a hostIP: every rule matches that destination',
      mappings: [udp(5353, 53, '192.0.2.7')],
      rules: [
        mark('udp', '10.244.0.5/32', 5353, '192.0.2.7'),
        mark('udp', '127.0.0.1/32', 5353, '192.0.2.7'),
        ['-p', 'udp', '-d', '192.0.2.7/32', '--dport', '5353', '-j', 'DNAT', '--to-destination', '10.244.0.5:53'],
      ],
      jumps: [['-p', 'udp', '-d', '192.0.2.7/32', '--dport', '5353', '-m', 'comment', '--comment', 'ns/web:5353/udp', '-j', CHAIN]],
    },
    {
      name: 'hostIP 0.0.0.0 is every address; a duplicate mapping counts once',
      mappings: [tcp(9000, 9000, '0.0.0.0'), tcp(9000, 9000)],
      rules: [
        mark('tcp', '10.244.0.5/32', 9000),
        mark('tcp', '127.0.0.1/32', 9000),
        ['-p', 'tcp', '--dport', '9000', '-j', 'DNAT', '--to-destination', '10.244.0.5:9000'],
      ],
      jumps: [['-p', 'tcp', '--dport', '9000', '-m', 'comment', '--comment', 'ns/web:9000/tcp', '-j', CHAIN]],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = hostportRules({ id: ID, ip: '10.244.0.5', pod: 'ns/web', mappings: c.mappings });
      assert.equal(r.chain, CHAIN);
      assert.deepEqual(r.rules, c.rules);
      assert.deepEqual(r.jumps, c.jumps);
    });
  }

  test('the same TCP and UDP port are two mappings', () => {
    const r = hostportRules({ id: ID, ip: '10.244.0.5', pod: 'ns/web', mappings: [tcp(53, 53), udp(53, 53)] });
    assert.deepEqual(r.jumps.map((j) => j[1]), ['tcp', 'udp']);
    assert.equal(r.rules.length, 6);
  });
});

test('chain names fit iptables (28 characters) for the longest bridge name', () => {
  const c = hostportChains('k8ts-t0123456789');
  for (const name of [c.dispatch, c.masq, sandboxChain(ID)]) assert.ok(name.length <= 28, name);
  assert.notEqual(c.dispatch, c.masq);
});

describe('checkMappings', () => {
  const cases: { name: string; m: PortMapping[]; error?: RegExp }[] = [
    { name: 'ordinary TCP and UDP', m: [tcp(80, 8080), udp(53, 53, '10.0.0.1')] },
    { name: 'no hostPort is not checked', m: [{ protocol: 'TCP', containerPort: 0 }] },
    { name: 'port over 65535', m: [tcp(70000, 80)], error: /hostPort 70000\/TCP: must be between 1 and 65535/ },
    { name: 'containerPort 0', m: [tcp(80, 0)], error: /containerPort 0/ },
    { name: 'IPv6 hostIP', m: [tcp(80, 80, 'fd00::1')], error: /not an IPv4 address/ },
    { name: 'garbage hostIP', m: [tcp(80, 80, '10.0.0.300')], error: /not an IPv4 address/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = checkMappings(c.m);
      if (!c.error) assert.deepEqual(r, { ok: true });
      else {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.message, c.error);
      }
    });
  }
});

describe('findHostportConflict', () => {
  const held = [{ pod: 'ns/a', mappings: [tcp(8080, 80), udp(53, 53, '192.0.2.7')] }];
  const cases: { name: string; want: PortMapping[]; conflict: boolean }[] = [
    { name: 'same port and protocol on every address', want: [tcp(8080, 81)], conflict: true },
    { name: 'same port, other protocol', want: [udp(8080, 80)], conflict: false },
    { name: 'a specific address against a wildcard', want: [tcp(8080, 80, '127.0.0.1')], conflict: true },
    { name: 'a wildcard against a specific address', want: [udp(53, 53)], conflict: true },
    { name: 'the same specific address', want: [udp(53, 53, '192.0.2.7')], conflict: true },
    { name: 'two different specific addresses', want: [udp(53, 53, '192.0.2.8')], conflict: false },
    { name: 'another port', want: [tcp(8081, 80)], conflict: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const found = findHostportConflict(c.want, held);
      assert.equal(found !== undefined, c.conflict);
      if (found) assert.equal(found.pod, 'ns/a');
    });
  }
});

describe('admitHostports and hostportSandbox', () => {
  const sb = (over: Partial<SandboxLike> & { mappings?: PortMapping[]; hostNetwork?: boolean }): SandboxLike => ({
    id: over.id ?? ID,
    state: over.state ?? 'SANDBOX_READY',
    ...(over.ip !== undefined ? { ip: over.ip } : { ip: '10.244.0.5' }),
    config: { metadata: { name: 'a', namespace: 'ns', uid: 'u', attempt: 0 }, portMappings: over.mappings ?? [], linux: { security: { hostNetwork: over.hostNetwork ?? false } } },
  });

  test('a port held by a ready sandbox is refused with the holder named', () => {
    const r = admitHostports({ portMappings: [tcp(8080, 80)] }, [sb({ mappings: [tcp(8080, 80)] })]);
    assert.deepEqual(r, { ok: false, message: 'hostPort 8080/TCP on 0.0.0.0 is already allocated to pod ns/a on this node' });
  });

  test('a stopped sandbox no longer holds its ports', () => {
    assert.deepEqual(admitHostports({ portMappings: [tcp(8080, 80)] }, [sb({ mappings: [tcp(8080, 80)], state: 'SANDBOX_NOTREADY' })]), { ok: true });
  });

  test('a host-network pod holds its ports too', () => {
    assert.equal(admitHostports({ portMappings: [tcp(8080, 8080)] }, [sb({ mappings: [tcp(8080, 8080)], hostNetwork: true })]).ok, false);
  });

  test('invalid mappings are refused before conflicts are looked for', () => {
    const r = admitHostports({ portMappings: [tcp(80, 80, 'fd00::1')] }, []);
    assert.equal(r.ok, false);
  });

  const inputs: { name: string; s: SandboxLike; want: boolean }[] = [
    { name: 'bridge pod with a hostPort', s: sb({ mappings: [tcp(8080, 80)] }), want: true },
    { name: 'bridge pod without hostPorts', s: sb({ mappings: [{ protocol: 'TCP', containerPort: 80 }] }), want: false },
    { name: 'host-network pod', s: sb({ mappings: [tcp(8080, 8080)], hostNetwork: true }), want: false },
    { name: 'no IP yet', s: sb({ mappings: [tcp(8080, 80)], ip: '' }), want: false },
  ];
  for (const c of inputs) {
    test(`hostportSandbox: ${c.name}`, () => {
      const hp = hostportSandbox(c.s);
      assert.equal(hp !== undefined, c.want);
      if (hp) assert.deepEqual(hp, { id: ID, ip: '10.244.0.5', pod: 'ns/a', mappings: effectiveMappings(c.s.config.portMappings) });
    });
  }
});

describe('splitRule', () => {
  const cases = [
    { name: 'plain', line: '-A X -p tcp -m tcp --dport 80 -j Y', want: ['-A', 'X', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'Y'] },
    { name: 'quoted comment', line: '-A X -m comment --comment "ns/web:80/tcp" -j Y', want: ['-A', 'X', '-m', 'comment', '--comment', 'ns/web:80/tcp', '-j', 'Y'] },
    { name: 'comment with a space and an escaped quote', line: '-A X -m comment --comment "a \\"b\\" c" -j Y', want: ['-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'Y'] },
    { name: 'empty', line: '', want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(splitRule(c.line), c.want));
});
