import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { builtinScheme } from '../../api/index.js';
import { realClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import { silentLogger } from '../../machinery/log.js';
import { ensureClusterPKI, type ClusterPKI } from '../../machinery/pki/index.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { AlwaysAllowAuthorizer } from '../authz/types.js';
import { bootstrapCluster } from '../bootstrap.js';
import { systemContext } from '../context.js';
import { APIServer } from '../server.js';
import { authenticatorChain } from './authenticator-chain.js';
import { NodeJoinService } from './node-join.js';
import {
  type NodePasswordRecords,
  NODE_PASSWORD_NAMESPACE,
  ensureNodePassword,
  hashNodePassword,
  nodePasswordMatches,
  nodePasswordRejected,
  nodePasswordSecretName,
  registryNodePasswordRecords,
  runNodePasswordJanitor,
} from './node-join-password.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-nodepw-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let pki: ClusterPKI;
before(async () => {
  pki = await ensureClusterPKI(path.join(tmp, 'tls'), { sans: { dnsNames: [], ipAddresses: ['127.0.0.1'] }, host: { hostname: 'localhost', addresses: ['127.0.0.1'] } });
});

/** Records in a map; `raceWith` makes the first create find a record someone else just wrote. */
function memoryRecords(o: { raceWith?: string } = {}): NodePasswordRecords & { map: Map<string, string> } {
  const map = new Map<string, string>();
  let race = o.raceWith;
  return {
    map,
    async get(n) {
      return map.get(n);
    },
    async create(n, hash) {
      if (race !== undefined) {
        map.set(n, await hashNodePassword(race));
        race = undefined;
        return 'exists';
      }
      if (map.has(n)) return 'exists';
      map.set(n, hash);
      return 'created';
    },
    async delete(n) {
      map.delete(n);
    },
  };
}

describe('node password hashes', () => {
  test('a hash verifies its password only, and is salted', async () => {
    const h = await hashNodePassword('pw-1');
    assert.match(h, /^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.equal(await nodePasswordMatches('pw-1', h), true);
    assert.equal(await nodePasswordMatches('pw-2', h), false);
    assert.notEqual(await hashNodePassword('pw-1'), h);
  });
  const malformed = ['', 'plain', '$scrypt$N=16384,r=8,p=1$abc', '$bcrypt$x$y$z'];
  for (const m of malformed) test(`a malformed record never matches: ${JSON.stringify(m)}`, async () => assert.equal(await nodePasswordMatches('x', m), false));
});

describe('ensureNodePassword', () => {
  test('first join records; the same password is accepted; another is rejected', async () => {
    const records = memoryRecords();
    assert.deepEqual(await ensureNodePassword(records, 'n1', 'a'), { ok: true, recorded: true });
    assert.deepEqual(await ensureNodePassword(records, 'n1', 'a'), { ok: true, recorded: false });
    assert.deepEqual(await ensureNodePassword(records, 'n1', 'b'), { ok: false, message: nodePasswordRejected('n1') });
    assert.deepEqual(await ensureNodePassword(records, 'n2', 'b'), { ok: true, recorded: true });
  });

  test('losing the race for a fresh name checks against the winner', async () => {
    assert.deepEqual(await ensureNodePassword(memoryRecords({ raceWith: 'winner' }), 'n', 'loser'), { ok: false, message: nodePasswordRejected('n') });
    assert.deepEqual(await ensureNodePassword(memoryRecords({ raceWith: 'same' }), 'n', 'same'), { ok: true, recorded: false });
  });

  test('a deleted record frees the name', async () => {
    const records = memoryRecords();
    await ensureNodePassword(records, 'n', 'a');
    await records.delete('n');
    assert.deepEqual(await ensureNodePassword(records, 'n', 'b'), { ok: true, recorded: true });
  });
});

async function csr(nodeName: string): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `O=system:nodes, CN=system:node:${nodeName}`,
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: alg,
  });
  return req.toString('pem');
}

describe('NodeJoinService with password records', () => {
  const basic = `Basic ${Buffer.from('node:top').toString('base64')}`;

  test('requires the password, pins the name, refuses another agent with 403', async () => {
    const records = memoryRecords();
    const svc = new NodeJoinService({ ca: pki.ca, secret: 'top', clock: realClock, passwords: records });
    const missing = await svc.issue(basic, { usage: 'client', csr: await csr('w1') });
    assert.deepEqual(missing, { ok: false, code: 400, message: 'body must carry the agent\'s "nodePassword"' });
    assert.equal(records.map.size, 0, 'nothing recorded for a refused request');
    const first = await svc.issue(basic, { usage: 'client', csr: await csr('w1'), nodePassword: 'p1' });
    assert.ok(first.ok);
    assert.ok(records.map.has('w1'));
    assert.ok((await svc.issue(basic, { usage: 'serving', csr: await csr('w1'), nodePassword: 'p1' })).ok, 'the same agent joins again');
    await assert.rejects(svc.issue(basic, { usage: 'client', csr: await csr('w1'), nodePassword: 'p2' }), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 403);
      assert.equal(err.message, nodePasswordRejected('w1'));
      return true;
    });
  });

  test('the token is checked before the password (no record for a bad token)', async () => {
    const records = memoryRecords();
    const svc = new NodeJoinService({ ca: pki.ca, secret: 'top', clock: realClock, passwords: records });
    const r = await svc.issue(`Basic ${Buffer.from('node:bad').toString('base64')}`, { usage: 'client', csr: await csr('w2'), nodePassword: 'p' });
    assert.equal(r.ok, false);
    assert.equal(records.map.size, 0);
  });

  test('without records any password (or none) is accepted', async () => {
    const svc = new NodeJoinService({ ca: pki.ca, secret: 'top', clock: realClock });
    assert.ok((await svc.issue(basic, { usage: 'client', csr: await csr('w3') })).ok);
    assert.deepEqual(await svc.verifyNodePassword('w3', 'x'), { ok: true, recorded: false });
  });
});

describe('registry records and the janitor (in-process API server)', () => {
  let server: APIServer;
  let backend: MemoryBackend;
  const stop = new AbortController();
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
      bootstrap: (s) => bootstrapCluster(s, { serviceCIDR: '10.96.0.0/12', advertiseAddress: '127.0.0.1', port: s.address.port }),
    });
    await server.start();
  });
  after(async () => {
    stop.abort();
    await server?.stop(500);
    await backend?.dispose();
  });

  test('hashes live in an immutable Secret in kube-system; deleting the Node removes it', async () => {
    const records = registryNodePasswordRecords(() => server);
    runNodePasswordJanitor({ server, records, logger: silentLogger, signal: stop.signal });
    assert.deepEqual(await ensureNodePassword(records, 'worker-9', 'secret-1'), { ok: true, recorded: true });
    const secrets = server.registry.storeFor('', 'secrets')!;
    const secret = (await secrets.get(NODE_PASSWORD_NAMESPACE, nodePasswordSecretName('worker-9'))).object as { type?: string; immutable?: boolean; data?: Record<string, string> };
    assert.equal(secret.type, 'k8ts.io/node-password');
    assert.equal(secret.immutable, true);
    assert.equal(await nodePasswordMatches('secret-1', Buffer.from(secret.data!.hash!, 'base64').toString('utf8')), true);
    assert.deepEqual(await ensureNodePassword(records, 'worker-9', 'secret-2'), { ok: false, message: nodePasswordRejected('worker-9') });

    const nodes = server.registry.endpoints.get('', 'v1', 'nodes')!;
    const ctx = { ...systemContext(realClock), warnings: [] };
    await server.handlers.createFromValue(ctx, nodes, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-9' } });
    // A node that does not exist keeps nothing to clean up; deleting an absent record is fine.
    await records.delete('never-joined');
    await server.handlers.deleteOne(ctx, nodes, '', 'worker-9', {});
    const deadline = Date.now() + 10_000;
    while ((await records.get('worker-9')) !== undefined) {
      assert.ok(Date.now() < deadline, 'the record outlived its node');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await ensureNodePassword(records, 'worker-9', 'secret-2'), { ok: true, recorded: true });
  });
});
