import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { parse as parseYAML } from 'yaml';
import { FakeClock } from '../clock.js';
import {
  createCA,
  issueCertificate,
  parseCertificate,
  missingSANs,
  ipEqual,
  ensureClusterPKI,
  writeKubeconfig,
  clusterPKIFiles,
} from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-pki-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const serverAuth = '1.3.6.1.5.5.7.3.1';
const clientAuth = '1.3.6.1.5.5.7.3.2';

describe('issueCertificate', () => {
  test('chain verifies against the CA and carries the requested fields', async () => {
    const ca = await createCA({ commonName: 'test-ca' });
    const caCert = new X509Certificate(ca.certPEM);
    assert.equal(caCert.ca, true);
    assert.equal(caCert.verify(caCert.publicKey), true, 'CA is self-signed');

    const leaf = await issueCertificate(ca, {
      commonName: 'alice',
      organizations: ['dev', 'ops'],
      dnsNames: ['example.test'],
      ipAddresses: ['10.96.0.1', '::1'],
      usage: 'both',
    });
    const cert = new X509Certificate(leaf.certPEM);
    assert.equal(cert.verify(caCert.publicKey), true);
    assert.equal(cert.checkIssued(caCert), true);
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage?.sort(), [serverAuth, clientAuth].sort());
    assert.equal(cert.subjectAltName, 'DNS:example.test, IP Address:10.96.0.1, IP Address:0:0:0:0:0:0:0:1');

    const parsed = parseCertificate(leaf.certPEM);
    assert.deepEqual(parsed.subject, { commonName: 'alice', organizations: ['dev', 'ops'] });
    assert.deepEqual(parsed.dnsNames, ['example.test']);
    assert.equal(parsed.ipAddresses.length, 2);
    assert.ok(ipEqual(parsed.ipAddresses[1]!, '::1'));
    assert.ok(parsed.notAfter.getTime() > Date.now() + 364 * 86400_000);
  });

  const usages: { name: string; usage: 'server' | 'client' | 'both'; want: string[] }[] = [
    { name: 'server only', usage: 'server', want: [serverAuth] },
    { name: 'client only', usage: 'client', want: [clientAuth] },
    { name: 'both', usage: 'both', want: [serverAuth, clientAuth] },
  ];
  for (const c of usages) {
    test(`extended key usage: ${c.name}`, async () => {
      const ca = await createCA({ commonName: 'u' });
      const leaf = await issueCertificate(ca, { commonName: 'x', usage: c.usage });
      assert.deepEqual(new X509Certificate(leaf.certPEM).keyUsage?.sort(), [...c.want].sort());
    });
  }

  test('a certificate does not verify against another CA; serials differ', async () => {
    const a = await createCA({ commonName: 'a' });
    const b = await createCA({ commonName: 'b' });
    const x = await issueCertificate(a, { commonName: 'x', usage: 'client' });
    const y = await issueCertificate(a, { commonName: 'x', usage: 'client' });
    assert.equal(new X509Certificate(x.certPEM).verify(new X509Certificate(b.certPEM).publicKey), false);
    assert.notEqual(new X509Certificate(x.certPEM).serialNumber, new X509Certificate(y.certPEM).serialNumber);
  });

  test('validity follows the injected clock', async () => {
    const clock = new FakeClock(Date.UTC(2030, 0, 1));
    const ca = await createCA({ commonName: 'c', clock, days: 10 });
    const p = parseCertificate(ca.certPEM);
    assert.equal(p.notAfter.toISOString(), '2030-01-11T00:00:00.000Z');
    assert.ok(p.notBefore.getTime() < clock.now());
  });
});

describe('missingSANs / ipEqual', () => {
  const cases = [
    { name: 'all covered', have: { dnsNames: ['A.test'], ipAddresses: ['0:0:0:0:0:0:0:1'] }, want: { dnsNames: ['a.test'], ipAddresses: ['::1'] }, missing: { dnsNames: [], ipAddresses: [] } },
    { name: 'new ip', have: { dnsNames: [], ipAddresses: ['10.0.0.1'] }, want: { dnsNames: [], ipAddresses: ['10.0.0.2'] }, missing: { dnsNames: [], ipAddresses: ['10.0.0.2'] } },
    { name: 'new name', have: { dnsNames: ['a'], ipAddresses: [] }, want: { dnsNames: ['a', 'b'], ipAddresses: [] }, missing: { dnsNames: ['b'], ipAddresses: [] } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(missingSANs(c.have, c.want), c.missing));
  test('ipv4-mapped and compressed forms', () => {
    assert.ok(ipEqual('::ffff:10.0.0.1', '10.0.0.1'));
    assert.ok(ipEqual('fd00::1:0:0:1', 'fd00:0:0:0:1:0:0:1'));
    assert.ok(!ipEqual('fd00::1', 'fd00::2'));
    assert.ok(!ipEqual('nonsense', 'nonsense'));
  });
});

describe('ensureClusterPKI', () => {
  const host = { hostname: 'node-a', addresses: ['192.168.5.10'] };
  const dir = path.join(tmp, 'cluster');

  test('first call creates everything with private modes', async () => {
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: ['api.example.test'], ipAddresses: ['10.96.0.1'] }, host });
    const sa = await pki.serviceAccount;
    for (const f of Object.values(clusterPKIFiles)) assert.ok(fs.existsSync(path.join(dir, f)), f);
    for (const f of [clusterPKIFiles.caKey, clusterPKIFiles.servingKey, clusterPKIFiles.adminKey, clusterPKIFiles.kubeletClientKey, clusterPKIFiles.serviceAccountKey]) {
      assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(parseCertificate(pki.ca.certPEM).subject.commonName, 'k8ts-ca');
    const serving = parseCertificate(pki.serving.certPEM);
    for (const d of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'node-a', 'api.example.test']) {
      assert.ok(serving.dnsNames.includes(d), d);
    }
    for (const ip of ['127.0.0.1', '::1', '192.168.5.10', '10.96.0.1']) assert.ok(serving.ipAddresses.some((h) => ipEqual(h, ip)), ip);
    assert.deepEqual(parseCertificate(pki.admin.certPEM).subject, { commonName: 'system:admin', organizations: ['system:masters'] });
    const kubeletClient = new X509Certificate(pki.kubeletClient.certPEM);
    assert.deepEqual(parseCertificate(pki.kubeletClient.certPEM).subject, { commonName: 'kube-apiserver-kubelet-client', organizations: ['kubeadm:cluster-admins'] });
    assert.deepEqual(kubeletClient.keyUsage, [clientAuth]);
    assert.ok(kubeletClient.verify(new X509Certificate(pki.ca.certPEM).publicKey));
    assert.match(sa.privateKeyPEM, /BEGIN RSA PRIVATE KEY/);
    assert.match(sa.publicKeyPEM, /BEGIN PUBLIC KEY/);
    assert.deepEqual(pki.written.map((p) => path.basename(p)).sort(), Object.values(clusterPKIFiles).sort());
  });

  test('second call with the same SANs reuses every file', async () => {
    const before = fs.readFileSync(path.join(dir, clusterPKIFiles.servingCert), 'utf8');
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: ['api.example.test'], ipAddresses: ['10.96.0.1'] }, host });
    assert.equal((await pki.serviceAccount).privateKeyPEM, fs.readFileSync(path.join(dir, clusterPKIFiles.serviceAccountKey), 'utf8'));
    assert.deepEqual(pki.written, []);
    assert.equal(pki.serving.certPEM, before);
  });

  test('a service-account key that cannot be written fails only the key', async () => {
    const other = path.join(tmp, 'sa-unwritable');
    fs.mkdirSync(path.join(other, clusterPKIFiles.serviceAccountKey), { recursive: true });
    const pki = await ensureClusterPKI(other, { sans: { dnsNames: [], ipAddresses: [] }, host });
    assert.ok(fs.existsSync(path.join(other, clusterPKIFiles.caCert)));
    await assert.rejects(pki.serviceAccount, /EISDIR/);
  });

  test('a new SAN re-issues only the serving certificate', async () => {
    const ca = fs.readFileSync(path.join(dir, clusterPKIFiles.caCert), 'utf8');
    const admin = fs.readFileSync(path.join(dir, clusterPKIFiles.adminCert), 'utf8');
    const kubeletClient = fs.readFileSync(path.join(dir, clusterPKIFiles.kubeletClientCert), 'utf8');
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: ['api.example.test'], ipAddresses: ['10.96.0.1', '203.0.113.7'] }, host });
    assert.deepEqual(pki.written.map((p) => path.basename(p)).sort(), [clusterPKIFiles.servingCert, clusterPKIFiles.servingKey].sort());
    assert.equal(pki.ca.certPEM, ca);
    assert.equal(pki.admin.certPEM, admin);
    assert.equal(pki.kubeletClient.certPEM, kubeletClient);
    assert.ok(parseCertificate(pki.serving.certPEM).ipAddresses.includes('203.0.113.7'));
    assert.ok(new X509Certificate(pki.serving.certPEM).verify(new X509Certificate(ca).publicKey));
  });

  test('a directory without the kubelet client certificate (older server) gets one; nothing else changes', async () => {
    fs.rmSync(path.join(dir, clusterPKIFiles.kubeletClientCert));
    fs.rmSync(path.join(dir, clusterPKIFiles.kubeletClientKey));
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: ['api.example.test'], ipAddresses: ['10.96.0.1', '203.0.113.7'] }, host });
    assert.deepEqual(pki.written.map((p) => path.basename(p)).sort(), [clusterPKIFiles.kubeletClientCert, clusterPKIFiles.kubeletClientKey].sort());
    assert.equal(parseCertificate(pki.kubeletClient.certPEM).subject.commonName, 'kube-apiserver-kubelet-client');
  });

  test('a serving certificate close to expiry is renewed', async () => {
    const clock = new FakeClock(Date.now() + 300 * 86400_000);
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: ['api.example.test'], ipAddresses: ['10.96.0.1', '203.0.113.7'] }, host, clock });
    assert.deepEqual(pki.written.map((p) => path.basename(p)).sort(), [clusterPKIFiles.servingCert, clusterPKIFiles.servingKey].sort());
  });

  test('mutual TLS between the serving and admin certificates', async () => {
    const pki = await ensureClusterPKI(dir, { sans: { dnsNames: [], ipAddresses: [] }, host });
    let serverSawCN: string | undefined;
    const server = tls.createServer(
      { cert: pki.serving.certPEM, key: pki.serving.keyPEM, ca: pki.ca.certPEM, requestCert: true, rejectUnauthorized: false },
      (sock) => {
        serverSawCN = sock.authorized ? String(sock.getPeerCertificate().subject.CN) : `unauthorized: ${sock.authorizationError}`;
        sock.end('ok');
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const { peerCN, body } = await new Promise<{ peerCN: string; body: string }>((resolve, reject) => {
        const sock = tls.connect({ host: '127.0.0.1', port, servername: 'kubernetes.default.svc', ca: pki.ca.certPEM, cert: pki.admin.certPEM, key: pki.admin.keyPEM }, () => {
          const peerCN = String(sock.getPeerCertificate().subject.CN);
          let body = '';
          sock.on('data', (d) => (body += d));
          sock.on('end', () => resolve({ peerCN, body }));
        });
        sock.on('error', reject);
      });
      assert.equal(peerCN, 'kube-apiserver');
      assert.equal(body, 'ok');
      assert.equal(serverSawCN, 'system:admin');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('writeKubeconfig', () => {
  test('writes a 0600 kubeconfig named default', async () => {
    const file = path.join(tmp, 'kube', 'config.yaml');
    await writeKubeconfig(file, { server: 'https://127.0.0.1:6443', caPEM: 'CA', clientCertPEM: 'CERT', clientKeyPEM: 'KEY' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const doc = parseYAML(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(doc, {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } }],
      users: [{ name: 'default', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
      contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
      'current-context': 'default',
      preferences: {},
    });
  });
});
