import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UserInfo } from '../apiserver/authn/types.js';
import type { Response } from '../apiserver/http/respond.js';
import type { HttpRequest } from '../apiserver/endpoints/resource-handler.js';
import { readBody } from '../apiserver/http/body.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { ResourceClient } from '../client/rest/resource-client.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { startTestAPIServer } from '../testing/api-server.js';
import { LOOPBACK_USER, LoopbackTransport, nodeUser } from './loopback-transport.js';

type Handler = (req: HttpRequest & { url: string }, res: Response, user: UserInfo) => Promise<void>;

const serverOf = (handler: Handler) => ({ serveInProcess: handler });
const tick = () => new Promise((r) => setImmediate(r));

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of body) s += Buffer.from(c).toString();
  return s;
}

describe('LoopbackTransport', () => {
  test('hands the request to the server as the loopback user and returns its answer', async () => {
    let seen: { method?: string; url: string; headers: Record<string, unknown>; body: string; user: UserInfo } | undefined;
    const t = new LoopbackTransport(
      serverOf(async (req, res, user) => {
        seen = { method: req.method, url: req.url, headers: req.headers, body: (await readBody(req)).toString(), user };
        res.statusCode = 201;
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Warning', ['299 - "a"', '299 - "b"']);
        res.end('{"ok":true}');
      }),
      { userAgent: 'kube-scheduler/v1' },
    );
    const res = await t.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', query: { fieldManager: 'x', dryRun: undefined }, body: '{"a":1}', contentType: 'application/json' });
    assert.equal(res.status, 201);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers.warning, '299 - "a", 299 - "b"');
    assert.equal(Buffer.from(res.body).toString(), '{"ok":true}');
    assert.deepEqual(seen, {
      method: 'POST',
      url: '/api/v1/namespaces/default/pods?fieldManager=x',
      headers: { accept: 'application/json', 'user-agent': 'kube-scheduler/v1', 'content-type': 'application/json' },
      body: '{"a":1}',
      user: LOOPBACK_USER,
    });
  });

  test('errors come back as Status errors through the REST client', async () => {
    const t = new LoopbackTransport(
      serverOf(async (_req, res) => {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'pods "x" not found' }));
      }),
      { userAgent: 'test' },
    );
    await assert.rejects(new RESTClient(t).do({ method: 'GET', path: '/api/v1/namespaces/default/pods/x' }), { code: 404, reason: 'NotFound', message: 'pods "x" not found' });
  });

  test('streams chunks as the server writes them, and ends with the response', async () => {
    let res!: Response;
    const t = new LoopbackTransport(
      serverOf(async (_req, r) => {
        res = r;
        r.write('');
      }),
      { userAgent: 'test' },
    );
    const s = await t.stream({ method: 'GET', path: '/watch' });
    assert.equal(s.status, 200);
    const it = s.body[Symbol.asyncIterator]();
    res.write('one\n');
    assert.equal(Buffer.from((await it.next()).value as Uint8Array).toString(), 'one\n');
    const next = it.next();
    res.write(Buffer.from('two\n'));
    assert.equal(Buffer.from((await next).value as Uint8Array).toString(), 'two\n');
    res.end();
    assert.equal((await it.next()).done, true);
  });

  test('a client that aborts or stops reading closes the response for the server', async () => {
    const closes: string[] = [];
    const t = new LoopbackTransport(
      serverOf(async (req, res) => {
        res.once('close', () => closes.push(req.url));
        res.write('first\n');
      }),
      { userAgent: 'test' },
    );
    const ac = new AbortController();
    const aborted = await t.stream({ method: 'GET', path: '/a', signal: ac.signal });
    const reading = readAll(aborted.body);
    ac.abort();
    assert.equal(await reading, 'first\n', 'an aborted body simply ends');
    const left = await t.stream({ method: 'GET', path: '/b' });
    for await (const _ of left.body) break;
    await tick();
    assert.deepEqual(closes.sort(), ['/a', '/b']);
    await assert.rejects(t.stream({ method: 'GET', path: '/c', signal: AbortSignal.abort(new Error('gone')) }), /gone/);
  });

  test('a slow reader makes writes report back-pressure until it catches up', async () => {
    let res!: Response & { writableLength: number };
    const t = new LoopbackTransport(
      serverOf(async (_req, r) => {
        res = r as typeof res;
        r.write('');
      }),
      { userAgent: 'test' },
    );
    const s = await t.stream({ method: 'GET', path: '/big' });
    const chunk = Buffer.alloc(256 * 1024);
    const accepted = [1, 2, 3, 4, 5].map(() => res.write(chunk));
    assert.deepEqual(accepted, [true, true, true, false, false]);
    assert.equal(res.writableLength, 5 * chunk.length);
    let drained = false;
    res.once('drain', () => (drained = true));
    const it = s.body[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    assert.equal(drained, true, 'drain once below the mark');
    assert.equal(res.writableLength, 3 * chunk.length);
    await it.return?.();
  });

  test('closing the transport ends open streams with an error and refuses new requests', async () => {
    const t = new LoopbackTransport(serverOf(async (_req, res) => void res.write('x')), { userAgent: 'test' });
    const s = await t.stream({ method: 'GET', path: '/w' });
    const reading = readAll(s.body);
    t.close();
    await assert.rejects(reading, /transport is closed/);
    await assert.rejects(t.request({ method: 'GET', path: '/' }), /transport is closed/);
  });
});

describe('LoopbackTransport against an API server', () => {
  test('requests run the whole chain as the loopback user; watches stream; errors are Status errors', async () => {
    const srv = await startTestAPIServer();
    const t = new LoopbackTransport(srv.server, { userAgent: 'kube-controller-manager/v1.35.0 (linux/amd64) kubernetes/k8ts' });
    try {
      const rest = new RESTClient(t);
      const review = await rest.do<{ status: { userInfo: { username: string; groups: string[] } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.equal(review.status.userInfo.username, 'system:apiserver');
      assert.ok(review.status.userInfo.groups.includes('system:masters'));

      const cms = new ResourceClient<KubeObject & { data?: Record<string, string> }>(rest, { group: '', version: 'v1', resource: 'configmaps' }, 'default');
      const ac = new AbortController();
      const events = cms.watch({ signal: ac.signal, resourceVersion: '0' });
      const created = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lb' }, data: { a: '1' } });
      assert.equal(created.metadata.managedFields?.[0]?.manager, 'kube-controller-manager', 'the user agent names the field manager');
      for await (const ev of events) {
        if (ev.type === 'ADDED' && ev.object.metadata?.name === 'lb') break;
      }
      ac.abort();
      const invalid = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }).catch((err: unknown) => err);
      assert.equal((invalid as { code?: number }).code, 422);
      assert.equal((invalid as { reason?: string }).reason, 'Invalid');
    } finally {
      t.close();
      await srv.stop();
    }
  });

  test("a node agent's transport is its node's user, as its client certificate would be", async () => {
    const srv = await startTestAPIServer();
    const t = new LoopbackTransport(srv.server, { userAgent: 'kubelet/v1.32.0 (linux/amd64) kubernetes/k8ts', user: nodeUser('worker-1') });
    try {
      const review = await new RESTClient(t).do<{ status: { userInfo: { username: string; groups: string[] } } }>({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.deepEqual(review.status.userInfo, { username: 'system:node:worker-1', groups: ['system:nodes', 'system:authenticated'] });
    } finally {
      t.close();
      await srv.stop();
    }
  });
});
