import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../machinery/clock.js';
import { createCA, issueCertificate, type KeyPairPEM } from '../../machinery/pki/index.js';
import {
  X509Authenticator,
  TokenFileAuthenticator,
  UnionAuthenticator,
  withAuthenticatedGroup,
  authenticatorChain,
  parseCSV,
  type Authenticator,
  type AuthnRequest,
  type AuthnResult,
} from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-authn-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let ca: KeyPairPEM;
let otherCA: KeyPairPEM;
let alice: KeyPairPEM;
before(async () => {
  ca = await createCA({ commonName: 'test-ca' });
  otherCA = await createCA({ commonName: 'rogue-ca' });
  alice = await issueCertificate(ca, { commonName: 'alice', organizations: ['dev', 'ops'], usage: 'client' });
});

const withCert = (pem: string): AuthnRequest => ({ headers: {}, peerCertificate: new X509Certificate(pem) });

describe('X509Authenticator', () => {
  test('user from CN, groups from O', async () => {
    const r = new X509Authenticator({ clientCAPEM: ca.certPEM }).authenticate(withCert(alice.certPEM));
    assert.deepEqual(r, { kind: 'authenticated', user: { username: 'alice', groups: ['dev', 'ops'] } });
  });

  test('no certificate means no credentials', () => {
    const a = new X509Authenticator({ clientCAPEM: ca.certPEM });
    assert.deepEqual(a.authenticate({ headers: {} }), { kind: 'no-credentials' });
    // What node's getPeerCertificate() returns when the client sent none.
    assert.deepEqual(a.authenticate({ headers: {}, peerCertificate: {} as tls.PeerCertificate }), { kind: 'no-credentials' });
  });

  const rejections: { name: string; make: () => Promise<{ pem: string; clock?: FakeClock }>; message: RegExp }[] = [
    {
      name: 'issued by another CA',
      make: async () => ({ pem: (await issueCertificate(otherCA, { commonName: 'mallory', usage: 'client' })).certPEM }),
      message: /^verifying certificate SN=\d+, SKID=[0-9A-F:]+, AKID=[0-9A-F:]+ failed: x509: certificate signed by unknown authority$/,
    },
    {
      name: 'server-only certificate',
      make: async () => ({ pem: (await issueCertificate(ca, { commonName: 'srv', usage: 'server' })).certPEM }),
      message: /x509: certificate specifies an incompatible key usage$/,
    },
    {
      name: 'expired',
      make: async () => ({ pem: alice.certPEM, clock: new FakeClock(Date.now() + 400 * 86400_000) }),
      message: /x509: certificate has expired or is not yet valid: current time .* is after /,
    },
    {
      name: 'not yet valid',
      make: async () => ({ pem: alice.certPEM, clock: new FakeClock(Date.now() - 86400_000) }),
      message: /is before /,
    },
  ];
  for (const c of rejections) {
    test(`rejects: ${c.name}`, async () => {
      const { pem, clock } = await c.make();
      const r = new X509Authenticator({ clientCAPEM: ca.certPEM, clock }).authenticate(withCert(pem));
      assert.equal(r.kind, 'invalid');
      assert.match((r as { message: string }).message, c.message);
    });
  }

  test('CA bundle with several CAs accepts either', async () => {
    const bob = await issueCertificate(otherCA, { commonName: 'bob', usage: 'both' });
    const a = new X509Authenticator({ clientCAPEM: ca.certPEM + otherCA.certPEM });
    assert.equal(a.authenticate(withCert(bob.certPEM)).kind, 'authenticated');
    assert.equal(a.authenticate(withCert(alice.certPEM)).kind, 'authenticated');
  });

  test('over a real TLS connection (requestCert, rejectUnauthorized false)', async () => {
    const serving = await issueCertificate(ca, { commonName: 'srv', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    const rogue = await issueCertificate(otherCA, { commonName: 'mallory', usage: 'client' });
    const authn = new X509Authenticator({ clientCAPEM: ca.certPEM });
    const results: AuthnResult[] = [];
    const server = tls.createServer({ cert: serving.certPEM, key: serving.keyPEM, ca: ca.certPEM, requestCert: true, rejectUnauthorized: false }, (sock) => {
      results.push(authn.authenticate({ headers: {}, peerCertificate: sock.getPeerCertificate(true) }));
      sock.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dial = (client?: KeyPairPEM) =>
      new Promise<void>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca: ca.certPEM, cert: client?.certPEM, key: client?.keyPEM }, () => s.resume());
        s.on('end', resolve);
        s.on('error', reject);
      });
    try {
      await dial(alice);
      await dial(rogue);
      await dial();
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.deepEqual(results[0], { kind: 'authenticated', user: { username: 'alice', groups: ['dev', 'ops'] } });
    assert.equal(results[1]!.kind, 'invalid');
    assert.deepEqual(results[2], { kind: 'no-credentials' });
  });
});

describe('parseCSV', () => {
  const cases: { name: string; text: string; want: ReturnType<typeof parseCSV> }[] = [
    { name: 'plain and quoted', text: 'a,b,c,"x,y"\n', want: { kind: 'ok', records: [{ line: 1, fields: ['a', 'b', 'c', 'x,y'] }] } },
    { name: 'blank lines and CRLF', text: '\r\na,b\r\n\r\nc,d', want: { kind: 'ok', records: [{ line: 2, fields: ['a', 'b'] }, { line: 4, fields: ['c', 'd'] }] } },
    { name: 'leading space trimmed, escaped quote', text: 'a, "say ""hi"""', want: { kind: 'ok', records: [{ line: 1, fields: ['a', 'say "hi"'] }] } },
    { name: 'bare quote', text: 'ok,1\na"b,c', want: { kind: 'error', message: 'parse error on line 2: bare " in non-quoted-field' } },
    { name: 'unterminated quote', text: 'a,"b', want: { kind: 'error', message: 'parse error on line 1, column 3: extraneous or missing " in quoted-field' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseCSV(c.text), c.want));
});

describe('TokenFileAuthenticator', () => {
  const file = path.join(tmp, 'tokens.csv');
  let authn: TokenFileAuthenticator;
  before(async () => {
    fs.writeFileSync(file, ['abc123,admin,1,"system:masters,dev"', '', 'def456,bob,2', ',nobody,3', 'abc123,dup,4'].join('\n'));
    const r = await TokenFileAuthenticator.load(file);
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.deepEqual(r.warnings, ['skipped line 4, empty token', `duplicate token has been found in token file '${file}', line 5`]);
    authn = r.authenticator;
  });

  const cases: { name: string; headers: AuthnRequest['headers']; want: AuthnResult }[] = [
    { name: 'known token without groups', headers: { authorization: 'Bearer def456' }, want: { kind: 'authenticated', user: { username: 'bob', uid: '2', groups: [] } } },
    { name: 'later duplicate wins', headers: { authorization: 'Bearer abc123' }, want: { kind: 'authenticated', user: { username: 'dup', uid: '4', groups: [] } } },
    { name: 'scheme is case-insensitive', headers: { authorization: 'bearer def456' }, want: { kind: 'authenticated', user: { username: 'bob', uid: '2', groups: [] } } },
    { name: 'unknown token is invalid', headers: { authorization: 'Bearer nope' }, want: { kind: 'invalid', message: 'invalid bearer token' } },
    { name: 'no header', headers: {}, want: { kind: 'no-credentials' } },
    { name: 'basic auth is not ours', headers: { authorization: 'Basic Zm9vOmJhcg==' }, want: { kind: 'no-credentials' } },
    { name: 'empty bearer token', headers: { authorization: 'Bearer ' }, want: { kind: 'no-credentials' } },
  ];
  for (const c of cases) test(c.name, async () => assert.deepEqual(await authn.authenticate({ headers: c.headers }), c.want));

  test('groups column is split and trimmed', () => {
    const r = TokenFileAuthenticator.parse('t,u,1,"a, b ,c"', { source: 'x' });
    assert.ok(r.kind === 'ok');
    assert.deepEqual(r.authenticator.authenticateToken('t'), { kind: 'authenticated', user: { username: 'u', uid: '1', groups: ['a', 'b', 'c'] } });
  });

  const loadErrors = [
    { name: 'too few columns names the line', text: 'a,b,c\n\nd,e', message: "token file 'f.csv' line 3 must have at least 3 columns (token, user name, user uid), found 2" },
    { name: 'csv error names the line', text: 'a,b,c\nd"e,f,g', message: `token file 'f.csv': parse error on line 2: bare " in non-quoted-field` },
  ];
  for (const c of loadErrors) test(`load error: ${c.name}`, () => assert.deepEqual(TokenFileAuthenticator.parse(c.text, { source: 'f.csv' }), { kind: 'error', message: c.message }));

  test('missing file is a load error', async () => {
    const r = await TokenFileAuthenticator.load(path.join(tmp, 'absent.csv'));
    assert.equal(r.kind, 'error');
  });
});

describe('UnionAuthenticator', () => {
  const fixed = (r: AuthnResult): Authenticator => ({ authenticate: () => r });
  const ok = (name: string): AuthnResult => ({ kind: 'authenticated', user: { username: name, groups: [] } });
  const bad = (m: string): AuthnResult => ({ kind: 'invalid', message: m });
  const none: AuthnResult = { kind: 'no-credentials' };
  const cases: { name: string; members: AuthnResult[]; want: AuthnResult }[] = [
    { name: 'first success wins', members: [none, ok('a'), ok('b')], want: ok('a') },
    { name: 'success after a rejection still wins', members: [bad('x'), ok('a')], want: ok('a') },
    { name: 'one rejection', members: [none, bad('x')], want: bad('x') },
    { name: 'rejections aggregate', members: [bad('x'), bad('y')], want: bad('[x, y]') },
    { name: 'nothing', members: [none, none], want: none },
    { name: 'empty', members: [], want: none },
  ];
  for (const c of cases) test(c.name, async () => assert.deepEqual(await new UnionAuthenticator(c.members.map(fixed)).authenticate({ headers: {} }), c.want));
});

describe('withAuthenticatedGroup', () => {
  const cases = [
    { name: 'adds the group', groups: ['dev'], want: ['dev', 'system:authenticated'] },
    { name: 'already present', groups: ['system:authenticated', 'dev'], want: ['system:authenticated', 'dev'] },
    { name: 'unauthenticated stays so', groups: ['system:unauthenticated'], want: ['system:unauthenticated'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(withAuthenticatedGroup({ username: 'u', groups: c.groups }).groups, c.want));
});

describe('authenticatorChain', () => {
  test('x509, tokens, group and anonymous in upstream order', async () => {
    const tokens = TokenFileAuthenticator.parse('tok,carol,3', { source: 't' });
    assert.ok(tokens.kind === 'ok');
    const chain = authenticatorChain({ clientCAPEM: ca.certPEM, tokenAuthenticators: [tokens.authenticator], anonymous: true });
    assert.deepEqual(await chain.authenticate(withCert(alice.certPEM)), {
      kind: 'authenticated',
      user: { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] },
    });
    assert.deepEqual(await chain.authenticate({ headers: { authorization: 'Bearer tok' } }), {
      kind: 'authenticated',
      user: { username: 'carol', uid: '3', groups: ['system:authenticated'] },
    });
    assert.deepEqual(await chain.authenticate({ headers: {} }), {
      kind: 'authenticated',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    });
    // Bad credentials are refused, never downgraded to anonymous.
    assert.deepEqual(await chain.authenticate({ headers: { authorization: 'Bearer wrong' } }), { kind: 'invalid', message: 'invalid bearer token' });
  });

  test('without anonymous, no credentials stays no-credentials', async () => {
    const chain = authenticatorChain({ clientCAPEM: ca.certPEM });
    assert.deepEqual(await chain.authenticate({ headers: {} }), { kind: 'no-credentials' });
  });
});
