import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endpointsFor, loadRegistries, parseRegistries } from './registries-config.js';
import { parseReference } from './reference.js';

const ref = (s: string) => {
  const r = parseReference(s);
  if (!r.ok) throw new Error(r.message);
  return r.ref;
};

const yaml = `
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - "https://mirror.example.com/prefix"
    rewrite:
      "^library/(.*)": "hub/$1"
  "*":
    endpoint: ["https://catchall.example.com"]
configs:
  "mirror.example.com":
    auth:
      username: alice
      password: secret
    tls:
      insecure_skip_verify: true
      ca_file: ca.pem
  "registry.internal:5443":
    auth:
      auth: Ym9iOnB3
`;

describe('registries.yaml', () => {
  test('parses mirrors, rewrites, auth and tls (files relative to the config)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-reg-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), 'PEM');
      fs.writeFileSync(path.join(dir, 'registries.yaml'), yaml);
      const cfg = await loadRegistries(path.join(dir, 'registries.yaml'));
      assert.deepEqual(cfg.mirrors['docker.io']!.endpoints, ['http://127.0.0.1:5000', 'https://mirror.example.com/prefix']);
      assert.deepEqual(cfg.configs['mirror.example.com']!.auth, { username: 'alice', password: 'secret' });
      assert.equal(cfg.configs['mirror.example.com']!.tls!.insecureSkipVerify, true);
      assert.equal(cfg.configs['mirror.example.com']!.tls!.ca!.toString(), 'PEM');
      assert.deepEqual(cfg.configs['registry.internal:5443']!.auth, { auth: 'Ym9iOnB3' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is an empty configuration', async () => {
    assert.deepEqual(await loadRegistries(path.join(os.tmpdir(), `k8ts-none-${process.pid}`, 'registries.yaml')), { mirrors: {}, configs: {} });
  });

  const invalid: { name: string; text: string }[] = [
    { name: 'mirrors not a mapping', text: 'mirrors: [1]' },
    { name: 'endpoint not a list', text: 'mirrors:\n  docker.io:\n    endpoint: http://x' },
    { name: 'bad rewrite regexp', text: 'mirrors:\n  docker.io:\n    endpoint: []\n    rewrite:\n      "(": x' },
  ];
  for (const c of invalid) test(`refuses ${c.name}`, async () => assert.rejects(parseRegistries(c.text)));

  test('docker.io: mirrors in order with rewrite and prefix, then the registry itself', async () => {
    const cfg = await parseRegistries(yaml.replace(/ca_file: ca.pem/, ''));
    const eps = endpointsFor(cfg, ref('busybox:1.35'));
    assert.deepEqual(
      eps.map((e) => [e.baseURL, e.repository, e.isMirror]),
      [
        ['http://127.0.0.1:5000/v2', 'hub/busybox', true],
        ['https://mirror.example.com/prefix/v2', 'hub/busybox', true],
        ['https://registry-1.docker.io/v2', 'library/busybox', false],
      ],
    );
    assert.deepEqual(eps[1]!.auth, { username: 'alice', password: 'secret' });
    assert.equal(eps[1]!.tls?.insecureSkipVerify, true);
  });

  test('wildcard mirror applies to other registries; host config by host:port', async () => {
    const cfg = await parseRegistries(yaml.replace(/ca_file: ca.pem/, ''));
    const eps = endpointsFor(cfg, ref('registry.internal:5443/team/app:v2'));
    assert.deepEqual(eps.map((e) => e.baseURL), ['https://catchall.example.com/v2', 'https://registry.internal:5443/v2']);
    assert.deepEqual(eps[1]!.auth, { auth: 'Ym9iOnB3' });
  });

  const schemes: { name: string; image: string; insecure?: string[]; want: string }[] = [
    { name: 'loopback IPv4 is plain HTTP', image: '127.0.0.1:5000/a', want: 'http://127.0.0.1:5000/v2' },
    { name: 'localhost is plain HTTP', image: 'localhost:5000/a', want: 'http://localhost:5000/v2' },
    { name: 'other hosts use HTTPS', image: 'quay.io/a/b', want: 'https://quay.io/v2' },
    { name: 'hosts marked insecure use HTTP', image: 'reg.lan:5000/a', insecure: ['reg.lan:5000'], want: 'http://reg.lan:5000/v2' },
  ];
  for (const c of schemes) {
    test(c.name, () => {
      assert.equal(endpointsFor({ mirrors: {}, configs: {} }, ref(c.image), { insecureRegistries: c.insecure }).at(-1)!.baseURL, c.want);
    });
  }
});
