import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { createCA, issueCertificate, type KeyPairPEM } from '../../machinery/pki/certificate.js';
import { FakeRuntime } from './fake-runtime.js';
import {
  type KubeletAuthzAttributes,
  type KubeletAuthzDecision,
  type ReviewResult,
  SUBJECT_ACCESS_REVIEW_PATH,
  WebhookAuthorizer,
  kubeletRequestAttributes,
  kubeletUser,
  subjectAccessReviewSpec,
  subjectAccessReviewer,
} from './kubelet-auth.js';
import { KubeletServer } from './kubelet-server.js';

const user = kubeletUser({ commonName: 'kube-apiserver-kubelet-client', organizations: ['kubeadm:cluster-admins'] });

describe('kubeletRequestAttributes: upstream mapping', () => {
  const cases: { name: string; method: string; path: string; verb: string; subresource: string }[] = [
    { name: 'exec over SPDY', method: 'POST', path: '/exec/ns/pod/c', verb: 'create', subresource: 'proxy' },
    { name: 'exec over WebSocket', method: 'GET', path: '/exec/ns/pod/c', verb: 'get', subresource: 'proxy' },
    { name: 'attach', method: 'POST', path: '/attach/ns/pod/uid/c', verb: 'create', subresource: 'proxy' },
    { name: 'port-forward', method: 'POST', path: '/portForward/ns/pod', verb: 'create', subresource: 'proxy' },
    { name: 'container logs', method: 'GET', path: '/containerLogs/ns/pod/c', verb: 'get', subresource: 'proxy' },
    { name: 'healthz', method: 'GET', path: '/healthz', verb: 'get', subresource: 'proxy' },
    { name: 'node logs', method: 'GET', path: '/logs/syslog', verb: 'get', subresource: 'log' },
    { name: 'logs root', method: 'GET', path: '/logs', verb: 'get', subresource: 'log' },
    { name: 'stats', method: 'GET', path: '/stats/summary', verb: 'get', subresource: 'stats' },
    { name: 'metrics', method: 'GET', path: '/metrics', verb: 'get', subresource: 'metrics' },
    { name: 'resource metrics', method: 'GET', path: '/metrics/resource', verb: 'get', subresource: 'metrics' },
    { name: 'metrics lookalike is proxy', method: 'GET', path: '/metricsx', verb: 'get', subresource: 'proxy' },
    { name: 'checkpoint', method: 'POST', path: '/checkpoint/ns/pod/c', verb: 'create', subresource: 'checkpoint' },
    { name: 'PUT', method: 'PUT', path: '/x', verb: 'update', subresource: 'proxy' },
    { name: 'PATCH', method: 'PATCH', path: '/x', verb: 'patch', subresource: 'proxy' },
    { name: 'DELETE', method: 'DELETE', path: '/x', verb: 'delete', subresource: 'proxy' },
    { name: 'other methods have no verb', method: 'HEAD', path: '/containerLogs/ns/pod/c', verb: '', subresource: 'proxy' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const a = kubeletRequestAttributes(user, { method: c.method, path: c.path, nodeName: 'node-1' });
      assert.deepEqual(a, { user, verb: c.verb, resource: 'nodes', subresource: c.subresource, name: 'node-1', version: 'v1', path: c.path });
    });
  }

  test('the user carries the certificate groups and system:authenticated', () => {
    assert.deepEqual(user, { username: 'kube-apiserver-kubelet-client', groups: ['kubeadm:cluster-admins', 'system:authenticated'] });
  });

  test('the review spec has the resource attributes, user and groups (no path)', () => {
    const a = kubeletRequestAttributes(user, { method: 'GET', path: '/stats/summary', nodeName: 'n' });
    assert.deepEqual(subjectAccessReviewSpec(a), {
      resourceAttributes: { verb: 'get', version: 'v1', resource: 'nodes', subresource: 'stats', name: 'n' },
      user: 'kube-apiserver-kubelet-client',
      groups: ['kubeadm:cluster-admins', 'system:authenticated'],
    });
  });
});

describe('WebhookAuthorizer: answers and cache', () => {
  const attrs = (path: string, who = user): KubeletAuthzAttributes => kubeletRequestAttributes(who, { method: 'GET', path, nodeName: 'n' });
  const setup = (answer: (spec: Record<string, unknown>) => ReviewResult) => {
    const clock = new FakeClock();
    const asked: Record<string, unknown>[] = [];
    const authz = new WebhookAuthorizer({
      clock,
      review: async (spec) => {
        asked.push(spec);
        return answer(spec);
      },
    });
    return { clock, asked, authz };
  };

  test('an allowed answer is reused for 5 minutes, then asked again', async () => {
    const { clock, asked, authz } = setup(() => ({ ok: true, allowed: true }));
    assert.deepEqual(await authz.authorize(attrs('/containerLogs/a/b/c')), { kind: 'allowed' });
    // Another path with the same attributes is the same question.
    assert.deepEqual(await authz.authorize(attrs('/exec/a/b/c')), { kind: 'allowed' });
    assert.equal(asked.length, 1);
    clock.step(5 * 60_000 - 1);
    await authz.authorize(attrs('/healthz'));
    assert.equal(asked.length, 1);
    clock.step(1);
    await authz.authorize(attrs('/healthz'));
    assert.equal(asked.length, 2);
  });

  test('a denied answer is reused for 30 seconds only', async () => {
    const { clock, asked, authz } = setup(() => ({ ok: true, allowed: false, reason: 'no RBAC policy matched' }));
    assert.deepEqual(await authz.authorize(attrs('/healthz')), { kind: 'denied', reason: 'no RBAC policy matched' });
    clock.step(29_999);
    await authz.authorize(attrs('/healthz'));
    assert.equal(asked.length, 1);
    clock.step(1);
    await authz.authorize(attrs('/healthz'));
    assert.equal(asked.length, 2);
  });

  test('different subresources and users are different questions', async () => {
    const { asked, authz } = setup(() => ({ ok: true, allowed: true }));
    await authz.authorize(attrs('/healthz'));
    await authz.authorize(attrs('/stats/summary'));
    await authz.authorize(attrs('/healthz', kubeletUser({ commonName: 'someone', organizations: [] })));
    assert.equal(asked.length, 3);
  });

  test('a failed review is an error and is not cached', async () => {
    let fail = true;
    const { asked, authz } = setup(() => (fail ? { ok: false, message: 'connection refused' } : { ok: true, allowed: true }));
    assert.deepEqual(await authz.authorize(attrs('/healthz')), { kind: 'error', message: 'connection refused' });
    fail = false;
    assert.deepEqual(await authz.authorize(attrs('/healthz')), { kind: 'allowed' });
    assert.equal(asked.length, 2);
  });

  test('concurrent identical questions share one review', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const authz = new WebhookAuthorizer({
      clock: new FakeClock(),
      review: async () => {
        calls++;
        await gate;
        return { ok: true, allowed: true };
      },
    });
    const all = Promise.all([authz.authorize(attrs('/a')), authz.authorize(attrs('/b')), authz.authorize(attrs('/c'))]);
    release();
    assert.deepEqual(await all, [{ kind: 'allowed' }, { kind: 'allowed' }, { kind: 'allowed' }]);
    assert.equal(calls, 1);
  });
});

describe('subjectAccessReviewer', () => {
  const cases: { name: string; reply: () => Promise<unknown>; want: ReviewResult }[] = [
    { name: 'allowed', reply: async () => ({ status: { allowed: true } }), want: { ok: true, allowed: true, reason: undefined } },
    { name: 'denied with reason', reply: async () => ({ status: { allowed: false, reason: 'nope' } }), want: { ok: true, allowed: false, reason: 'nope' } },
    { name: 'no status is not allowed', reply: async () => ({}), want: { ok: true, allowed: false, reason: undefined } },
    { name: 'transport error', reply: async () => Promise.reject(new Error('boom')), want: { ok: false, message: 'boom' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const sent: { method: string; path: string; body?: unknown }[] = [];
      const review = subjectAccessReviewer({
        do: async <T>(req: { method: string; path: string; body?: unknown }) => {
          sent.push(req);
          return (await c.reply()) as T;
        },
      });
      const spec = { resourceAttributes: { verb: 'get' }, user: 'u', groups: [] };
      assert.deepEqual(await review(spec), c.want);
      assert.deepEqual(sent, [{ method: 'POST', path: SUBJECT_ACCESS_REVIEW_PATH, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } }]);
    });
  }
});

describe('KubeletServer with an authorizer', () => {
  let dir: string;
  let ca: KeyPairPEM;
  let client: KeyPairPEM;
  let server: KubeletServer;
  const seen: KubeletAuthzAttributes[] = [];
  let decide: (a: KubeletAuthzAttributes) => KubeletAuthzDecision = () => ({ kind: 'allowed' });

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-kubelet-auth-'));
    ca = await createCA({ commonName: 'test-ca' });
    const serving = await issueCertificate(ca, { commonName: 'kubelet', ipAddresses: ['127.0.0.1'], usage: 'server' });
    client = await issueCertificate(ca, { commonName: 'system:node:other', organizations: ['system:nodes'], usage: 'client' });
    server = new KubeletServer({
      runtime: new FakeRuntime(dir),
      tls: { certPEM: serving.certPEM, keyPEM: serving.keyPEM, clientCAPEM: ca.certPEM },
      bindAddress: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      nodeName: 'node-7',
      authorize: async (_who, a) => {
        seen.push(a);
        return decide(a);
      },
    });
    server.mount('/metrics/resource', (_req, res) => void res.end('m'));
    await server.start();
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: server.port, path: p, ca: ca.certPEM, cert: client.certPEM, key: client.keyPEM, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });

  test('the authorizer sees the node name and mapped attributes; allowed requests are served', async () => {
    decide = () => ({ kind: 'allowed' });
    seen.length = 0;
    assert.deepEqual(await get('/metrics/resource'), { status: 200, body: 'm' });
    assert.equal(seen.length, 1);
    assert.deepEqual({ ...seen[0]!, path: undefined }, { user: { username: 'system:node:other', groups: ['system:nodes', 'system:authenticated'] }, verb: 'get', resource: 'nodes', subresource: 'metrics', name: 'node-7', version: 'v1', path: undefined });
  });

  test('a denied request is 403 with upstream wording', async () => {
    decide = () => ({ kind: 'denied', reason: 'x' });
    assert.deepEqual(await get('/containerLogs/default/web/app'), { status: 403, body: 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)' });
  });

  test('a review that could not be made is 500 with upstream wording', async () => {
    decide = () => ({ kind: 'error', message: 'unreachable' });
    assert.deepEqual(await get('/stats/summary'), { status: 500, body: 'Authorization error (user=system:node:other, verb=get, resource=nodes, subresource=stats)' });
  });
});
