import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { builtinScheme } from '../../api/index.js';
import { realClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { ensureClusterPKI, type ClusterPKI } from '../../machinery/pki/index.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { AlwaysAllowAuthorizer } from '../authz/types.js';
import { APIServer } from '../server.js';
import { authenticatorChain } from './authenticator-chain.js';
import { NodeJoinService, NODE_CERT_PATH, basicSecret } from './node-join.js';
import { caCertHash, ensureNodeToken, formatNodeToken, parseNodeToken, secretMatches } from './node-token.js';
import { X509Authenticator } from './x509-authenticator.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-nodejoin-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let pki: ClusterPKI;
before(async () => {
  pki = await ensureClusterPKI(path.join(tmp, 'tls'), { sans: { dnsNames: [], ipAddresses: ['127.0.0.1'] }, host: { hostname: 'localhost', addresses: ['127.0.0.1'] } });
});

async function csr(subject: string, sans: x509.JsonGeneralNames = []): Promise<{ pem: string; keys: webcrypto.CryptoKeyPair }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: alg,
    extensions: sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return { pem: req.toString('pem'), keys };
}

const basic = (secret: string) => `Basic ${Buffer.from(`node:${secret}`).toString('base64')}`;

describe('node token', () => {
  const hash = 'a'.repeat(64);
  const cases: { name: string; raw: string; want: ReturnType<typeof parseNodeToken> }[] = [
    { name: 'k3s server token', raw: `K10${hash}::server:s3cret`, want: { ok: true, token: { caHash: hash, username: 'server', secret: 's3cret' } } },
    { name: 'surrounding whitespace (a file with a newline)', raw: `K10${hash}::node:abc\n`, want: { ok: true, token: { caHash: hash, username: 'node', secret: 'abc' } } },
    { name: 'bare secret', raw: 'abcdef', want: { ok: true, token: { username: 'node', secret: 'abcdef' } } },
    { name: 'empty', raw: ' ', want: { ok: false, message: 'token is empty' } },
    { name: 'no separator', raw: `K10${hash}server:x`, want: { ok: false, message: 'invalid token format: missing "::"' } },
    { name: 'short hash', raw: 'K10abc::server:x', want: { ok: false, message: 'invalid token format: CA hash is not a hex sha256' } },
    { name: 'no secret', raw: `K10${hash}::server:`, want: { ok: false, message: 'invalid token format: expected <user>:<secret> after "::"' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseNodeToken(c.raw), c.want));

  test('format round-trips and pins the CA bundle bytes', () => {
    const t = formatNodeToken(pki.ca.certPEM, 'xyz');
    assert.match(t, /^K10[0-9a-f]{64}::server:xyz$/);
    const parsed = parseNodeToken(t);
    assert.ok(parsed.ok);
    assert.equal(parsed.token.caHash, caCertHash(pki.ca.certPEM));
    assert.notEqual(caCertHash(pki.ca.certPEM + '\n'), parsed.token.caHash);
  });

  test('ensureNodeToken creates the file once and keeps its secret across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'data-'));
    const first = await ensureNodeToken(dir, pki.ca.certPEM);
    assert.equal(fs.readFileSync(path.join(dir, 'node-token'), 'utf8').trim(), first.token);
    assert.equal(fs.statSync(first.file).mode & 0o777, 0o600);
    const second = await ensureNodeToken(dir, pki.ca.certPEM);
    assert.equal(second.token, first.token);
    const given = await ensureNodeToken(dir, pki.ca.certPEM, { secret: 'chosen' });
    assert.equal(given.secret, 'chosen');
  });

  test('secrets compare exactly', () => {
    assert.equal(secretMatches('abc', 'abc'), true);
    assert.equal(secretMatches('abd', 'abc'), false);
    assert.equal(secretMatches('abcd', 'abc'), false);
    assert.equal(basicSecret(basic('p:w')), 'p:w');
    assert.equal(basicSecret('Bearer x'), undefined);
  });
});

describe('NodeJoinService', () => {
  const service = () => new NodeJoinService({ ca: pki.ca, secret: 'top', clock: realClock });

  test('signs a client certificate that authenticates as the node', async () => {
    const r = await service().issue(basic('top'), { usage: 'client', csr: (await csr('O=system:nodes, CN=system:node:worker-1')).pem });
    assert.ok(r.ok, JSON.stringify(r));
    const user = new X509Authenticator({ clientCAPEM: pki.ca.certPEM }).authenticate({ headers: {}, peerCertificate: new X509Certificate(r.response.certificate) });
    assert.deepEqual(user, { kind: 'authenticated', user: { username: 'system:node:worker-1', groups: ['system:nodes'] } });
    assert.equal(r.response.ca, pki.ca.certPEM);
  });

  test('a serving certificate carries the requested SANs and serverAuth', async () => {
    const sans: x509.JsonGeneralNames = [{ type: 'ip', value: '10.1.2.3' }, { type: 'dns', value: 'worker-1' }];
    const r = await service().issue(basic('top'), { usage: 'serving', csr: (await csr('O=system:nodes, CN=system:node:worker-1', sans)).pem });
    assert.ok(r.ok);
    const cert = new X509Certificate(r.response.certificate);
    assert.match(cert.subjectAltName ?? '', /IP Address:10\.1\.2\.3/);
    assert.match(cert.subjectAltName ?? '', /DNS:worker-1/);
    assert.ok(cert.verify(new X509Certificate(pki.ca.certPEM).publicKey));
    assert.ok(cert.checkHost('worker-1'));
  });

  const refusals: { name: string; auth?: string; subject: string; body?: object; code: number; message: RegExp }[] = [
    { name: 'wrong secret', auth: basic('nope'), subject: 'O=system:nodes, CN=system:node:a', code: 401, message: /Unauthorized/ },
    { name: 'no credentials', auth: '', subject: 'O=system:nodes, CN=system:node:a', code: 401, message: /Unauthorized/ },
    { name: 'not a node name', subject: 'O=system:nodes, CN=system:admin', code: 400, message: /common name/ },
    { name: 'invalid node name', subject: 'O=system:nodes, CN=system:node:Bad_Name', code: 400, message: /common name/ },
    { name: 'asks for system:masters', subject: 'O=system:masters, CN=system:node:a', code: 400, message: /organization/ },
    { name: 'extra organization', subject: 'O=system:nodes, O=system:masters, CN=system:node:a', code: 400, message: /organization/ },
    { name: 'unknown usage', subject: 'O=system:nodes, CN=system:node:a', body: { usage: 'ca' }, code: 400, message: /unknown usage/ },
  ];
  for (const c of refusals) {
    test(`refuses: ${c.name}`, async () => {
      const r = await service().issue(c.auth ?? basic('top'), { usage: 'client', csr: (await csr(c.subject)).pem, ...c.body });
      assert.equal(r.ok, false);
      assert.equal((r as { code: number }).code, c.code);
      assert.match((r as { message: string }).message, c.message);
    });
  }

  test('a request whose signature does not verify is refused', async () => {
    const good = await csr('O=system:nodes, CN=system:node:a');
    const der = Buffer.from(x509.PemConverter.decode(good.pem)[0]!);
    der[der.length - 5] ^= 0xff;
    const r = await service().issue(basic('top'), { csr: x509.PemConverter.encode(der, 'CERTIFICATE REQUEST') });
    assert.equal(r.ok, false);
  });
});

describe('API server join endpoints', () => {
  let server: APIServer;
  let backend: MemoryBackend;
  before(async () => {
    backend = new MemoryBackend({ clock: realClock });
    server = new APIServer({
      scheme: builtinScheme(),
      backend,
      tls: { certPEM: pki.serving.certPEM, keyPEM: pki.serving.keyPEM, clientCAPEM: pki.ca.certPEM },
      authenticator: authenticatorChain({ clientCAPEM: pki.ca.certPEM, anonymous: false, clock: realClock }),
      authorizer: new AlwaysAllowAuthorizer(),
      clock: realClock,
      logger: silentLogger,
      bindAddress: '127.0.0.1',
      port: 0,
      serviceCIDR: '10.96.0.0/12',
      version: { major: '1', minor: '32', gitVersion: 'v1.32.0-k8ts', gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'tsc', platform: 'linux/amd64' },
      nodeJoin: new NodeJoinService({ ca: pki.ca, secret: 'top', clock: realClock }),
    });
    await server.start();
  });
  after(async () => {
    await server?.stop(500);
    await backend?.dispose();
  });

  function call(method: string, p: string, opts: { body?: string; headers?: Record<string, string>; cert?: { certPEM: string; keyPEM: string } } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: server.address.port, method, path: p, ca: pki.ca.certPEM, cert: opts.cert?.certPEM, key: opts.cert?.keyPEM, headers: { 'content-type': 'application/json', ...opts.headers }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  test('GET /cacerts answers the CA without credentials, byte for byte', async () => {
    const r = await call('GET', '/cacerts');
    assert.equal(r.status, 200);
    assert.equal(r.body, pki.ca.certPEM);
    assert.equal(caCertHash(r.body), caCertHash(pki.ca.certPEM));
  });

  test('node-cert needs the token, and the certificate it returns is accepted by the server', async () => {
    const { pem, keys } = await csr('O=system:nodes, CN=system:node:joiner');
    const body = JSON.stringify({ usage: 'client', csr: pem });
    assert.equal((await call('POST', NODE_CERT_PATH, { body })).status, 401);
    assert.equal((await call('POST', NODE_CERT_PATH, { body, headers: { authorization: basic('bad') } })).status, 401);
    assert.equal((await call('GET', NODE_CERT_PATH, { headers: { authorization: basic('top') } })).status, 405);
    assert.equal((await call('POST', NODE_CERT_PATH, { body: 'nope', headers: { authorization: basic('top') } })).status, 400);
    const ok = await call('POST', NODE_CERT_PATH, { body, headers: { authorization: basic('top') } });
    assert.equal(ok.status, 200, ok.body);
    const { certificate } = JSON.parse(ok.body) as { certificate: string };
    const keyPEM = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
    assert.equal((await call('GET', '/api/v1/nodes')).status, 401);
    const listed = await call('GET', '/api/v1/nodes', { cert: { certPEM: certificate, keyPEM } });
    assert.equal(listed.status, 200, listed.body);
  });
});
