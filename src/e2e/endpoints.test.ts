/**
 * The non-resource surface and authentication: health and version open to
 * anyone, everything else 401 without credentials; static bearer tokens and
 * service-account tokens; Prometheus metrics; aggregated discovery; OpenAPI
 * v2 (protobuf) and v3.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { type AdminCredentials, readAdminCredentials, request, requestJSON } from './https-client.js';
import { pollUntil, waitForNamespaceDefaults } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

interface Status {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
}

describe('endpoints: health, authentication, metrics, discovery, OpenAPI', { skip }, () => {
  let s: TestServer;
  let creds: AdminCredentials;
  let dir: string;
  /** A kubeconfig with the cluster's CA and no client certificate, so only tokens identify. */
  let tokenKubeconfig: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-endpoints-'));
    const tokens = path.join(dir, 'tokens.csv');
    writeFileSync(tokens, 'tok-alice,alice,u-1,"devs,qa"\ntok-bob,bob,u-2\n', { mode: 0o600 });
    s = await TestServer.start({ args: ['--token-auth-file', tokens] });
    creds = readAdminCredentials(s.kubeconfig);
    tokenKubeconfig = path.join(dir, 'token.kubeconfig');
    writeFileSync(
      tokenKubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'k8ts', cluster: { server: creds.server, 'certificate-authority-data': Buffer.from(creds.ca).toString('base64') } }],
        users: [{ name: 'nobody', user: {} }],
        contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'nobody' } }],
        'current-context': 'k8ts',
      }),
      { mode: 0o600 },
    );
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const withToken = (token: string, args: string[]) => s.kubectl([`--token=${token}`, ...args], { env: { KUBECONFIG: tokenKubeconfig } });

  test('health and version endpoints answer anonymously', async () => {
    for (const p of ['/livez', '/readyz', '/healthz']) {
      const r = await request(creds, p, { as: { kind: 'anonymous' } });
      assert.equal(r.status, 200, p);
      assert.equal(r.text, 'ok', p);
    }
    const verbose = await request(creds, '/readyz?verbose', { as: { kind: 'anonymous' } });
    assert.equal(verbose.status, 200);
    assert.match(verbose.text, /^\[\+\]ping ok$/m);
    assert.match(verbose.text, /readyz check passed\n?$/);
    const v = await requestJSON<{ major: string; minor: string; gitVersion: string }>(creds, '/version', { as: { kind: 'anonymous' } });
    assert.equal(v.status, 200);
    assert.equal(v.body.major, '1');
    assert.match(v.body.gitVersion, /^v1\.\d+\.\d+\+k8ts/);
  });

  test('the API without credentials or with a wrong token is 401 with a Status body', async () => {
    const cases = [
      { name: 'anonymous /api', path: '/api', as: { kind: 'anonymous' } as const },
      { name: 'anonymous /apis', path: '/apis', as: { kind: 'anonymous' } as const },
      { name: 'anonymous resource list', path: '/api/v1/namespaces/default/configmaps', as: { kind: 'anonymous' } as const },
      { name: 'anonymous metrics', path: '/metrics', as: { kind: 'anonymous' } as const },
      { name: 'unknown token', path: '/api/v1/namespaces', as: { kind: 'token', token: 'not-a-token' } as const },
    ];
    for (const c of cases) {
      const r = await requestJSON<Status>(creds, c.path, { as: c.as });
      assert.equal(r.status, 401, c.name);
      assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }, c.name);
    }
    const wrong = await withToken('not-a-token', ['auth', 'whoami']);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, 'error: You must be logged in to the server (Unauthorized)\n');
    // Commands that need discovery fail there first, with client-go's wording for a bare 401;
    // when kubectl's disk cache already holds discovery for this address, the GET itself fails.
    const get = await withToken('not-a-token', ['get', 'ns']);
    assert.equal(get.code, 1);
    assert.match(get.stderr.trim().split('\n').pop()!, /^error: You must be logged in to the server \((the server has asked for the client to provide credentials|Unauthorized)\)$/);
  });

  test('a static token authenticates as its user with its groups', async () => {
    const alice = await withToken('tok-alice', ['auth', 'whoami']);
    assert.equal(alice.code, 0, alice.stderr);
    assert.deepEqual(alice.stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/)), [
      ['ATTRIBUTE', 'VALUE'],
      ['Username', 'alice'],
      ['UID', 'u-1'],
      ['Groups', '[devs qa system:authenticated]'],
    ]);
    const bobJSON = await withToken('tok-bob', ['auth', 'whoami', '-o', 'json']);
    assert.equal(bobJSON.code, 0, bobJSON.stderr);
    const review = JSON.parse(bobJSON.stdout) as { kind: string; status: { userInfo: { username: string; uid: string; groups: string[] } } };
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.deepEqual(review.status.userInfo, { username: 'bob', uid: 'u-2', groups: ['system:authenticated'] });
    // A token user can do what the authorizer allows, here everything.
    const list = await withToken('tok-alice', ['get', 'ns', 'default', '-o', 'name']);
    assert.equal(list.stdout, 'namespace/default\n');
    const canI = await withToken('tok-bob', ['auth', 'can-i', 'delete', 'nodes']);
    assert.deepEqual([canI.code, canI.stdout], [0, 'yes\n']);
  });

  test('kubectl create token issues a service-account token that authenticates', async () => {
    await s.k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tokens' } }) });
    const missing = await s.kubectl(['create', 'token', 'robot', '-n', 'tokens']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: failed to create token: serviceaccounts "robot" not found\n');
    // The service account controller gives every namespace a `default` one.
    await waitForNamespaceDefaults(s, 'tokens');
    const uid = (JSON.parse(await s.k(['get', 'sa', '-n', 'tokens', 'default', '-o', 'json'])) as { metadata: { uid: string } }).metadata.uid;
    const token = (await s.k(['create', 'token', 'default', '-n', 'tokens'])).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    const who = await withToken(token, ['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const info = (JSON.parse(who.stdout) as { status: { userInfo: { username: string; uid: string; groups: string[] } } }).status.userInfo;
    assert.equal(info.username, 'system:serviceaccount:tokens:default');
    assert.equal(info.uid, uid);
    assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:tokens', 'system:authenticated']);

    // Deleting the service account revokes its tokens, even once the controller has made a new
    // `default`: a token is bound to the uid it was issued for.
    await s.k(['delete', 'sa', '-n', 'tokens', 'default']);
    await pollUntil('a new default ServiceAccount', async () => {
      const r = await s.kubectl(['get', 'sa', '-n', 'tokens', 'default', '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout !== uid ? true : undefined;
    });
    const revoked = await withToken(token, ['auth', 'whoami']);
    assert.equal(revoked.code, 1);
    assert.equal(revoked.stderr, 'error: You must be logged in to the server (Unauthorized)\n');
  });

  test('/metrics exposes request, latency, storage and long-running metrics', async () => {
    await s.k(['get', 'cm', '-n', 'default']);
    const r = await request(creds, '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const text = r.text;
    for (const [name, type] of [
      ['apiserver_request_total', 'counter'],
      ['apiserver_request_duration_seconds', 'histogram'],
      ['etcd_request_duration_seconds', 'histogram'],
      ['apiserver_longrunning_requests', 'gauge'],
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    }
    const listLine = text.split('\n').find((l) => l.startsWith('apiserver_request_total{') && l.includes('resource="configmaps"') && l.includes('verb="LIST"') && l.includes('code="200"'));
    assert.ok(listLine, 'a LIST configmaps 200 sample');
    assert.ok(Number(listLine.split(' ').pop()) >= 1);
    const unauthorized = text.split('\n').find((l) => l.startsWith('apiserver_request_total{') && l.includes('code="401"'));
    assert.ok(unauthorized, 'the 401s of the previous test are counted');
    assert.match(text, /^apiserver_request_duration_seconds_bucket\{.*verb="LIST".*le="\+Inf"\} \d+$/m);
    assert.match(text, /^etcd_request_duration_seconds_count\{.*operation="[a-z]+".*\} \d+$/m);
  });

  test('aggregated discovery v2 is served with its own content type', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const apis = await requestJSON<{ kind: string; apiVersion: string; items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string }[] }[] }[] }>(creds, '/apis', { headers: { accept } });
    assert.equal(apis.status, 200);
    assert.equal(apis.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.match(String(apis.headers.vary), /Accept/);
    assert.equal(apis.body.kind, 'APIGroupDiscoveryList');
    assert.equal(apis.body.apiVersion, 'apidiscovery.k8s.io/v2');
    const groups = apis.body.items.map((g) => g.metadata.name);
    for (const g of ['apps', 'batch', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io', 'coordination.k8s.io']) assert.ok(groups.includes(g), g);
    const apps = apis.body.items.find((g) => g.metadata.name === 'apps')!;
    assert.deepEqual(apps.versions[0]!.resources.find((r) => r.resource === 'deployments')?.scope, 'Namespaced');

    const core = await requestJSON<{ items: { versions: { version: string; resources: { resource: string }[] }[] }[] }>(creds, '/api', { headers: { accept } });
    assert.equal(core.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.ok(core.body.items[0]!.versions[0]!.resources.some((r) => r.resource === 'pods'));

    const legacy = await requestJSON<{ kind: string; groups: unknown[] }>(creds, '/apis');
    assert.equal(legacy.headers['content-type'], 'application/json');
    assert.equal(legacy.body.kind, 'APIGroupList');
    // kubectl uses aggregated discovery and finds the same resources.
    assert.match(await s.k(['api-resources', '--api-group=apps', '-o', 'name']), /^deployments\.apps$/m);
  });

  test('OpenAPI v3 index and documents, v2 as protobuf', async () => {
    const index = await requestJSON<{ paths: Record<string, { serverRelativeURL: string }> }>(creds, '/openapi/v3');
    assert.equal(index.status, 200);
    for (const key of ['api/v1', 'apis/apps/v1']) assert.match(index.body.paths[key]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/${key}\\?hash=[0-9A-F]+$`), key);
    const url = index.body.paths['apis/apps/v1']!.serverRelativeURL;
    const doc = await requestJSON<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>(creds, url);
    assert.equal(doc.status, 200);
    assert.match(doc.body.openapi, /^3\./);
    assert.ok(doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments']);
    assert.ok(doc.body.components.schemas['io.k8s.api.apps.v1.Deployment']);
    assert.match(String(doc.headers['cache-control']), /immutable/);
    const etag = String(doc.headers.etag);
    const again = await request(creds, url, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const missing = await requestJSON<Status>(creds, '/openapi/v3/apis/nope/v1');
    assert.equal(missing.status, 404);

    const v2 = await request(creds, '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(v2.status, 200);
    // Upstream answers the legacy '@' spelling with the parseable dotted one.
    assert.equal(v2.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    // A gnostic Document starts with field 1 (swagger, length-delimited) = "2.0".
    assert.deepEqual([...v2.body.subarray(0, 5)], [0x0a, 0x03, 0x32, 0x2e, 0x30]);
    const v2json = await requestJSON<{ swagger: string; definitions: Record<string, unknown> }>(creds, '/openapi/v2', { headers: { accept: 'application/json' } });
    assert.equal(v2json.body.swagger, '2.0');
    assert.ok(v2json.body.definitions['io.k8s.api.core.v1.Pod']);
    // kubectl explain reads these documents.
    assert.match(await s.k(['explain', 'deployment.spec.replicas']), /FIELD: *replicas <integer>/);
  });
});
