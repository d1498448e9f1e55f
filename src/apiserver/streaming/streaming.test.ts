import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { builtinScheme } from '../../api/index.js';
import { realClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { ensureClusterPKI, issueCertificate, type ClusterPKI } from '../../machinery/pki/index.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { freePort } from '../../testing/server-harness.js';
import { authenticatorChain } from '../authn/authenticator-chain.js';
import { AlwaysAllowAuthorizer } from '../authz/types.js';
import { bootstrapCluster } from '../bootstrap.js';
import { APIServer } from '../server.js';
import { dialErrorText, kubeletLocation } from './kubelet-client.js';
import { chooseContainer } from './pod-containers.js';

describe('chooseContainer', () => {
  const pod = (containers: string[], extra: { init?: string[]; ephemeral?: string[]; annotation?: string } = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', annotations: extra.annotation ? { 'kubectl.kubernetes.io/default-container': extra.annotation } : undefined },
    spec: { containers: containers.map((name) => ({ name })), initContainers: extra.init?.map((name) => ({ name })), ephemeralContainers: extra.ephemeral?.map((name) => ({ name })) },
  });
  const cases: { name: string; pod: KubeObject; requested: string; want: string | RegExp }[] = [
    { name: 'the only container', pod: pod(['app']), requested: '', want: 'app' },
    { name: 'a named container', pod: pod(['app', 'side']), requested: 'side', want: 'side' },
    { name: 'an init container by name', pod: pod(['app'], { init: ['setup'] }), requested: 'setup', want: 'setup' },
    { name: 'an ephemeral container by name', pod: pod(['app'], { ephemeral: ['debug'] }), requested: 'debug', want: 'debug' },
    { name: 'the default-container annotation', pod: pod(['app', 'side'], { annotation: 'side' }), requested: '', want: 'side' },
    { name: 'an annotation naming no container is ignored', pod: pod(['app', 'side'], { annotation: 'gone' }), requested: '', want: /^a container name must be specified for pod web, choose one of: \[app side\]$/ },
    { name: 'several containers and no name', pod: pod(['a', 'b'], { init: ['i'], ephemeral: ['e'] }), requested: '', want: /^a container name must be specified for pod web, choose one of: \[a b\] or one of the init containers: \[i\] or one of the ephemeral containers: \[e\]$/ },
    { name: 'an unknown name', pod: pod(['app']), requested: 'nope', want: /^container nope is not valid for pod web$/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = chooseContainer(c.pod, c.requested);
      if (typeof c.want === 'string') return assert.deepEqual(r, { ok: true, container: c.want });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 400);
      assert.match(r.error.message, c.want);
    });
  }
});

describe('kubelet location and dial errors', () => {
  test('InternalIP and the kubelet endpoint port; 10250 when the node does not say', () => {
    const node = (status: unknown, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels }, status: status as Record<string, unknown> });
    assert.deepEqual(kubeletLocation(node({ addresses: [{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.5' }], daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } })), { ok: true, location: { host: '10.0.0.5', port: 12345, simulated: false } });
    assert.deepEqual(kubeletLocation(node({ addresses: [{ type: 'Hostname', address: 'h' }] }, { 'k8ts.io/simulated': 'true' })), { ok: true, location: { host: 'h', port: 10250, simulated: true } });
    assert.equal(kubeletLocation(node({})).ok, false);
  });
  const errs: { code: string; want: string }[] = [
    { code: 'ECONNREFUSED', want: 'dial tcp 10.0.0.5:10250: connect: connection refused' },
    { code: 'EHOSTUNREACH', want: 'dial tcp 10.0.0.5:10250: connect: no route to host' },
    { code: 'ETIMEDOUT', want: 'dial tcp 10.0.0.5:10250: i/o timeout' },
  ];
  for (const e of errs) {
    test(`${e.code} reads as Go's dialer says it`, () => assert.equal(dialErrorText({ host: '10.0.0.5', port: 10250, simulated: false }, Object.assign(new Error('x'), { code: e.code })), e.want));
  }
});

/**
 * An API server (memory storage) wired to reach kubelets with the admin
 * certificate, and a scripted kubelet that records what reaches it.
 */
describe('API server streaming endpoints', () => {
  let dir: string;
  let pki: ClusterPKI;
  let api: APIServer;
  let backend: MemoryBackend;
  let kubelet: https.Server;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; client: string }[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-streaming-'));
    pki = await ensureClusterPKI(path.join(dir, 'tls'), { sans: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, host: { hostname: 'localhost', addresses: ['127.0.0.1'] } });
    const serving = await issueCertificate(pki.ca, { commonName: 'kubelet', ipAddresses: ['127.0.0.1'], usage: 'server' });
    kubelet = https.createServer({ cert: serving.certPEM, key: serving.keyPEM, ca: pki.ca.certPEM, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      record(req);
      const url = new URL(req.url!, 'https://x');
      if (url.pathname === '/containerLogs/default/web/app') return void res.end(`logs ${url.search}\n`);
      if (url.pathname === '/containerLogs/default/web/side') return void res.writeHead(400).end('container "side" in pod "web" is waiting to start: ContainerCreating');
      if (url.pathname === '/containerLogs/default/web/boom') return void res.writeHead(500).end('runtime exploded');
      if (url.pathname === '/metrics/resource') return void res.end('# node metrics\n');
      res.writeHead(404).end('404 page not found');
    });
    kubelet.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      record(req);
      if (req.url!.startsWith('/exec/default/web/side')) {
        const body = 'container not found ("side")';
        return void socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test-echo\r\n\r\n');
      socket.pipe(socket);
    });
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
    const authenticator = authenticatorChain({ clientCAPEM: pki.ca.certPEM, anonymous: false, clock: realClock });
    backend = new MemoryBackend({ clock: realClock });
    api = new APIServer({
      scheme: builtinScheme(),
      backend,
      tls: { certPEM: pki.serving.certPEM, keyPEM: pki.serving.keyPEM, clientCAPEM: pki.ca.certPEM },
      authenticator,
      authorizer: new AlwaysAllowAuthorizer(),
      clock: realClock,
      logger: silentLogger,
      bindAddress: '127.0.0.1',
      port: 0,
      serviceCIDR: '10.96.0.0/12',
      version: { major: '1', minor: '35', gitVersion: 'v1.35.0-k8ts', gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'tsc', platform: 'linux/amd64' },
      bootstrap: (s) => bootstrapCluster(s, { serviceCIDR: '10.96.0.0/12', advertiseAddress: '127.0.0.1', port: s.address.port }),
      kubeletClient: { certPEM: pki.admin.certPEM, keyPEM: pki.admin.keyPEM, caPEM: pki.ca.certPEM, dialTimeoutMs: 2000 },
    });
    await api.start();
    const closed = await freePort();
    await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: (kubelet.address() as AddressInfo).port } } } });
    await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'down' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: closed } } } });
    const pod = (name: string, nodeName: string | undefined, containers: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox' })) } });
    await call('POST', '/api/v1/namespaces/default/pods', pod('web', 'n1', ['app', 'side', 'boom']));
    await call('POST', '/api/v1/namespaces/default/pods', pod('pending', undefined, ['app']));
    await call('POST', '/api/v1/namespaces/default/pods', pod('lost', 'down', ['app']));
    // A simulated node's address routes nowhere: it must be answered without dialling.
    await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-1', labels: { 'k8ts.io/simulated': 'true' } }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } });
    await call('POST', '/api/v1/namespaces/default/pods', pod('simmed', 'sim-1', ['app']));
  });

  after(async () => {
    await api?.stop(1000);
    await backend?.dispose();
    await new Promise((r) => kubelet?.close(r));
    kubelet?.closeAllConnections();
    rmSync(dir, { recursive: true, force: true });
  });

  function record(req: IncomingMessage) {
    const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, client: String(peer.subject?.CN ?? '') });
  }

  function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: api.address.port, method, path: p, ca: pki.ca.certPEM, cert: pki.admin.certPEM, key: pki.admin.keyPEM, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** A raw HTTP/1.1 upgrade to the API server; returns the response head and a socket for what follows. */
  async function upgrade(p: string): Promise<{ head: string; socket: tls.TLSSocket; rest: Buffer }> {
    const socket = tls.connect({ host: '127.0.0.1', port: api.address.port, ca: pki.ca.certPEM, cert: pki.admin.certPEM, key: pki.admin.keyPEM, ALPNProtocols: ['http/1.1'] });
    await new Promise((r) => socket.once('secureConnect', r));
    socket.write([`POST ${p} HTTP/1.1`, 'Host: api', 'Connection: Upgrade', 'Upgrade: test-echo', 'Authorization: Bearer must-not-leak', 'X-Stream-Protocol-Version: v4.channel.k8s.io', 'X-Stream-Protocol-Version: v3.channel.k8s.io', '', ''].join('\r\n'));
    let buf = Buffer.alloc(0);
    while (buf.indexOf('\r\n\r\n') < 0) buf = Buffer.concat([buf, await new Promise<Buffer>((r) => socket.once('data', r))]);
    const end = buf.indexOf('\r\n\r\n');
    return { head: buf.subarray(0, end).toString(), socket, rest: buf.subarray(end + 4) };
  }

  async function drain(socket: tls.TLSSocket, first: Buffer): Promise<string> {
    let text = first.toString();
    await new Promise<void>((r) => {
      socket.on('data', (d) => (text += d));
      socket.once('close', () => r());
    });
    return text;
  }

  test('pods/log reaches the kubelet with its query and the API server identity', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/pods/web/log?container=app&tailLines=5&timestamps=true&previous=true&sinceSeconds=10');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'logs ?previous=true&timestamps=true&tailLines=5&sinceSeconds=10\n');
    assert.equal(seen.at(-1)!.client, 'system:admin');
  });

  const logErrors: { name: string; path: string; status: number; reason: string; message: RegExp }[] = [
    { name: 'a kubelet 400 is a BadRequest with its text', path: 'web/log?container=side', status: 400, reason: 'BadRequest', message: /^container "side" in pod "web" is waiting to start: ContainerCreating$/ },
    { name: 'a kubelet 500 is an InternalError', path: 'web/log?container=boom', status: 500, reason: 'InternalError', message: /^Internal error occurred: runtime exploded$/ },
    { name: 'several containers and none named', path: 'web/log', status: 400, reason: 'BadRequest', message: /^a container name must be specified for pod web, choose one of: \[app side boom\]$/ },
    { name: 'negative tailLines', path: 'web/log?container=app&tailLines=-1', status: 422, reason: 'Invalid', message: /^PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0$/ },
    { name: 'a missing pod', path: 'ghost/log', status: 404, reason: 'NotFound', message: /^pods "ghost" not found$/ },
    { name: 'an unreachable kubelet', path: 'lost/log', status: 500, reason: '', message: /^Get "https:\/\/127\.0\.0\.1:\d+\/containerLogs\/default\/lost\/app": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/ },
    { name: 'a simulated node', path: 'simmed/log', status: 500, reason: '', message: /^Get "https:\/\/192\.0\.2\.1:10250\/containerLogs\/default\/simmed\/app": dial tcp 192\.0\.2\.1:10250: connect: connection refused$/ },
  ];
  for (const c of logErrors) {
    test(`pods/log: ${c.name}`, async () => {
      const r = await call('GET', `/api/v1/namespaces/default/pods/${c.path}`);
      assert.equal(r.status, c.status, r.body);
      const s = JSON.parse(r.body) as { reason?: string; message: string };
      assert.equal(s.reason ?? '', c.reason);
      assert.match(s.message, c.message);
    });
  }

  test('pods/log of a pod no node runs is empty', async () => assert.deepEqual(await call('GET', '/api/v1/namespaces/default/pods/pending/log'), { status: 200, body: '' }));

  test('exec upgrades pass through: the kubelet answers the client, credentials stay behind', async () => {
    const u = await upgrade('/api/v1/namespaces/default/pods/web/exec?container=app&command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&tty=false');
    assert.match(u.head, /^HTTP\/1.1 101 Switching Protocols/);
    const k = seen.at(-1)!;
    assert.equal(k.url, '/exec/default/web/app?command=sh&command=-c&command=echo+hi&input=1&output=1');
    assert.equal(k.headers.authorization, undefined);
    assert.equal(k.headers['x-stream-protocol-version'], 'v4.channel.k8s.io, v3.channel.k8s.io');
    assert.equal(k.client, 'system:admin');
    u.socket.write('ping through the tunnel');
    let echoed = u.rest.toString();
    while (!echoed.includes('ping through the tunnel')) echoed += await new Promise<Buffer>((r) => u.socket.once('data', r));
    u.socket.destroy();
  });

  test('portforward passes the ports a WebSocket client asks for as the kubelet\'s port parameters', async () => {
    const u = await upgrade('/api/v1/namespaces/default/pods/web/portforward?ports=8080,9090');
    assert.match(u.head, /^HTTP\/1.1 101/);
    assert.equal(seen.at(-1)!.url, '/portForward/default/web?port=8080&port=9090');
    u.socket.destroy();
  });

  test('exec: the kubelet\'s refusal reaches the client unchanged', async () => {
    const u = await upgrade('/api/v1/namespaces/default/pods/web/exec?container=side&command=true&stdout=true');
    assert.match(u.head, /^HTTP\/1.1 500/);
    assert.equal(await drain(u.socket, u.rest), 'container not found ("side")');
  });

  const execErrors: { name: string; path: string; status: number; message: RegExp }[] = [
    { name: 'an unknown container', path: 'web/exec?container=nope&command=true', status: 400, message: /container nope is not valid for pod web/ },
    { name: 'a pod without a node', path: 'pending/exec?command=true', status: 400, message: /pod pending does not have a host assigned/ },
    { name: 'an unreachable kubelet', path: 'lost/exec?command=true&stdout=true', status: 500, message: /error dialing backend: dial tcp 127\.0\.0\.1:\d+: connect: connection refused/ },
  ];
  for (const c of execErrors) {
    test(`exec: ${c.name} is a Status before any upgrade`, async () => {
      const u = await upgrade(`/api/v1/namespaces/default/pods/${c.path}`);
      assert.match(u.head, new RegExp(`^HTTP/1.1 ${c.status}`));
      const body = JSON.parse(await drain(u.socket, u.rest)) as { kind: string; message: string };
      assert.equal(body.kind, 'Status');
      assert.match(body.message, c.message);
    });
  }

  test('exec without an upgrade is a BadRequest', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods/web/exec?container=app&command=true');
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body).message, /Upgrade request required/);
  });

  test('nodes/proxy reaches any kubelet path', async () => {
    assert.deepEqual(await call('GET', '/api/v1/nodes/n1/proxy/metrics/resource'), { status: 200, body: '# node metrics\n' });
    assert.equal((await call('GET', '/api/v1/nodes/n1/proxy/nothing-here')).status, 404);
  });
});
