import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { createCA, issueCertificate, type KeyPairPEM } from '../../machinery/pki/certificate.js';
import { silentLogger } from '../../machinery/log.js';
import { FakeRuntime } from './fake-runtime.js';
import { KubeletServer } from './kubelet-server.js';
import { SpdyConnection, type SpdyStream } from './spdy/connection.js';
import { headersFrom } from './spdy/header-block.js';

interface Certs {
  ca: KeyPairPEM;
  serving: KeyPairPEM;
  admin: KeyPairPEM;
  node: KeyPairPEM;
}

let certs: Certs;
let dir: string;
let fake: FakeRuntime;
let server: KubeletServer;
let ids: Record<string, string>;
let echo: net.Server;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-kubelet-server-'));
  const ca = await createCA({ commonName: 'test-ca' });
  certs = {
    ca,
    serving: await issueCertificate(ca, { commonName: 'kubelet', ipAddresses: ['127.0.0.1'], usage: 'server' }),
    admin: await issueCertificate(ca, { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client' }),
    node: await issueCertificate(ca, { commonName: 'system:node:other', organizations: ['system:nodes'], usage: 'client' }),
  };
  fake = new FakeRuntime(dir);
  ids = fake.addPod({ namespace: 'default', name: 'web', uid: 'uid-1', containers: ['app', 'side'] });
  echo = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  fake.ports.set(8080, (echo.address() as net.AddressInfo).port);
  server = new KubeletServer({ runtime: fake, tls: { certPEM: certs.serving.certPEM, keyPEM: certs.serving.keyPEM, clientCAPEM: ca.certPEM }, bindAddress: '127.0.0.1', port: 0, logger: silentLogger, logPollMs: 20, streamCreationTimeoutMs: 2000 });
  server.mount('/metrics/resource', (_req, res) => {
    res.end('# metrics\n');
  });
  await server.start();
});

after(async () => {
  await server?.stop();
  await new Promise((r) => echo?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function get(p: string, client: KeyPairPEM = certs.admin): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: server.port, path: p, ca: certs.ca.certPEM, cert: client.certPEM, key: client.keyPEM }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsConnect(p: string, protocols: string[]): Promise<{ ws: WebSocket; protocol: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}${p}`, protocols, { ca: certs.ca.certPEM, cert: certs.admin.certPEM, key: certs.admin.keyPEM });
    ws.once('open', () => resolve({ ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => reject(new Error(`${res.statusCode}: ${body}`)));
    });
    ws.once('error', reject);
  });
}

/** Collects channel messages until the socket closes. */
function collect(ws: WebSocket): Promise<Map<number, Buffer>> {
  const got = new Map<number, Buffer[]>();
  ws.on('message', (raw: Buffer) => {
    const list = got.get(raw[0]!) ?? [];
    list.push(raw.subarray(1));
    got.set(raw[0]!, list);
  });
  return new Promise((resolve) => ws.once('close', () => resolve(new Map([...got].map(([k, v]) => [k, Buffer.concat(v)])))));
}

/** An HTTP/1.1 `Upgrade: SPDY/3.1` from scratch, as client-go's SPDY round tripper sends it. */
async function spdyConnect(p: string, protocols: string[]): Promise<{ conn: SpdyConnection; protocol: string } | { status: number; body: string }> {
  const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: certs.ca.certPEM, cert: certs.admin.certPEM, key: certs.admin.keyPEM });
  await new Promise((r) => socket.once('secureConnect', r));
  socket.write([`POST ${p} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: Upgrade', 'Upgrade: SPDY/3.1', ...protocols.map((v) => `X-Stream-Protocol-Version: ${v}`), 'Content-Length: 0', '', ''].join('\r\n'));
  let buf = Buffer.alloc(0);
  for (;;) {
    const chunk: Buffer = await new Promise((r) => socket.once('data', r));
    buf = Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const head = buf.subarray(0, end).toString();
    const status = Number(head.split(' ')[1]);
    if (status !== 101) {
      let body = buf.subarray(end + 4).toString();
      await new Promise<void>((r) => {
        socket.on('data', (d) => (body += d));
        socket.once('end', () => r());
        socket.once('close', () => r());
      });
      return { status, body };
    }
    const protocol = /x-stream-protocol-version: (.*)/i.exec(head)?.[1]?.trim() ?? '';
    const conn = new SpdyConnection(socket, { server: false });
    const rest = buf.subarray(end + 4);
    if (rest.length) socket.unshift(rest);
    return { conn, protocol };
  }
}

/**
 * A bare WebSocket client (binary messages as a byte stream): the ws package's client refuses
 * the `SPDY/3.1+portforward.k8s.io` subprotocol kubectl sends, so the handshake is done by hand.
 */
async function rawWebSocket(p: string, protocol: string): Promise<{ stream: Duplex; protocol: string }> {
  const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: certs.ca.certPEM, cert: certs.admin.certPEM, key: certs.admin.keyPEM });
  await new Promise((r) => socket.once('secureConnect', r));
  const key = Buffer.from('0123456789abcdef').toString('base64');
  socket.write([`GET ${p} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, `Sec-WebSocket-Protocol: ${protocol}`, '', ''].join('\r\n'));
  let buf = Buffer.alloc(0);
  while (buf.indexOf('\r\n\r\n') < 0) buf = Buffer.concat([buf, await new Promise<Buffer>((r) => socket.once('data', r))]);
  const end = buf.indexOf('\r\n\r\n');
  const head = buf.subarray(0, end).toString();
  assert.match(head, /^HTTP\/1.1 101/);
  let pending = buf.subarray(end + 4);
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      const mask = Buffer.from([1, 2, 3, 4]);
      const len = chunk.length;
      const header = len < 126 ? Buffer.from([0x82, 0x80 | len]) : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0]), Buffer.from([len >>> 24, (len >> 16) & 255, (len >> 8) & 255, len & 255])]);
      const body = Buffer.from(chunk.map((b, i) => b ^ mask[i % 4]!));
      socket.write(Buffer.concat([header, mask, body]), cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  const parse = () => {
    for (;;) {
      if (pending.length < 2) return;
      let len = pending[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (pending.length < 4) return;
        len = pending.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (pending.length < 10) return;
        len = Number(pending.readBigUInt64BE(2));
        off = 10;
      }
      if (pending.length < off + len) return;
      const opcode = pending[0]! & 0x0f;
      const payload = pending.subarray(off, off + len);
      pending = pending.subarray(off + len);
      if (opcode === 8) stream.push(null);
      else if (opcode === 0 || opcode === 2) stream.push(Buffer.from(payload));
    }
  };
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    parse();
  });
  socket.on('end', () => stream.push(null));
  parse();
  return { stream, protocol: /sec-websocket-protocol: (.*)/i.exec(head)?.[1]?.trim() ?? '' };
}

function readAll(s: SpdyStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.once('end', () => resolve(text));
    s.once('close', () => resolve(text));
  });
}

describe('KubeletServer: access', () => {
  test('healthz answers ok to the API server identity', async () => assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok' }));
  test('a node identity is forbidden', async () => {
    const r = await get('/healthz', certs.node);
    assert.equal(r.status, 403);
    assert.equal(r.body, 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)');
  });
  test('mounted handlers serve their path', async () => assert.deepEqual(await get('/metrics/resource'), { status: 200, body: '# metrics\n' }));
  test('unknown paths are 404', async () => assert.equal((await get('/nope')).status, 404));
  test('exec without an upgrade is refused', async () => assert.deepEqual(await get('/exec/default/web/app?command=true&output=1'), { status: 400, body: 'Upgrade request required' }));
  test('a client without a certificate cannot even connect', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: server.port, path: '/healthz', ca: certs.ca.certPEM }, resolve);
        req.on('error', reject);
        req.end();
      }),
    );
  });
});

describe('KubeletServer: exec over WebSocket', () => {
  test('v5: stdout, stderr and the exit code as a NonZeroExitCode status', async () => {
    const q = new URLSearchParams([['command', 'sh'], ['command', '-c'], ['command', 'echo out; echo err >&2; exit 3'], ['output', '1'], ['error', '1']]);
    const { ws, protocol } = await wsConnect(`/exec/default/web/app?${q}`, ['v5.channel.k8s.io']);
    assert.equal(protocol, 'v5.channel.k8s.io');
    const got = await collect(ws);
    assert.equal(got.get(1)?.toString(), 'out\n');
    assert.equal(got.get(2)?.toString(), 'err\n');
    const status = JSON.parse(got.get(3)!.toString());
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  test('v5: stdin reaches EOF through the close signal', async () => {
    const q = new URLSearchParams([['command', 'cat'], ['input', '1'], ['output', '1']]);
    const { ws } = await wsConnect(`/exec/default/web/app?${q}`, ['v5.channel.k8s.io']);
    const done = collect(ws);
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello stdin')]));
    ws.send(Buffer.from([255, 0]));
    const got = await done;
    assert.equal(got.get(1)?.toString(), 'hello stdin');
    assert.deepEqual(JSON.parse(got.get(3)!.toString()), { metadata: {}, status: 'Success' });
  });

  test('v4 base64: text messages both ways', async () => {
    const q = new URLSearchParams([['command', 'echo'], ['command', 'b64'], ['output', '1']]);
    const { ws, protocol } = await wsConnect(`/exec/default/web/app?${q}`, ['v4.base64.channel.k8s.io']);
    assert.equal(protocol, 'v4.base64.channel.k8s.io');
    const texts: string[] = [];
    ws.on('message', (m: Buffer) => texts.push(m.toString()));
    await new Promise((r) => ws.once('close', r));
    const stdout = texts.filter((t) => t[0] === '1').map((t) => Buffer.from(t.slice(1), 'base64').toString()).join('');
    assert.equal(stdout, 'b64\n');
    assert.ok(texts.some((t) => t[0] === '3' && JSON.parse(Buffer.from(t.slice(1), 'base64').toString()).status === 'Success'));
  });

  test('tty: resize messages reach the session', async () => {
    const q = new URLSearchParams([['command', 'sleep'], ['command', '0.3'], ['input', '1'], ['output', '1'], ['tty', '1']]);
    const { ws } = await wsConnect(`/exec/default/web/app?${q}`, ['v5.channel.k8s.io']);
    const done = collect(ws);
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":132,"Height":43}')]));
    await done;
    assert.ok(fake.resizes.some((r) => r.containerId === ids.app && r.width === 132 && r.height === 43));
  });

  test('unsupported subprotocols are refused', async () => {
    await assert.rejects(wsConnect('/exec/default/web/app?command=true&output=1', ['v9.nothing']), /400: requested protocol\(s\) are not supported/);
  });

  const refusals: { name: string; path: string; message: RegExp }[] = [
    { name: 'unknown container', path: '/exec/default/web/nope?command=true&output=1', message: /^Error: 500: container not found \("nope"\)$/ },
    { name: 'unknown pod', path: '/exec/default/ghost/app?command=true&output=1', message: /^Error: 404: pod does not exist$/ },
    { name: 'no streams', path: '/exec/default/web/app?command=true', message: /400: you must specify at least 1 of stdin, stdout, stderr/ },
    { name: 'no command', path: '/exec/default/web/app?output=1', message: /400: you must specify at least one command/ },
  ];
  for (const r of refusals) test(`refused before the upgrade: ${r.name}`, async () => assert.rejects(wsConnect(r.path, ['v5.channel.k8s.io']), r.message));
});

describe('KubeletServer: exec over SPDY', () => {
  test('v4: streams by type, stdin half-close, exit code status', async () => {
    const q = new URLSearchParams([['command', 'sh'], ['command', '-c'], ['command', 'cat; echo done >&2; exit 2'], ['input', '1'], ['output', '1'], ['error', '1']]);
    const r = await spdyConnect(`/exec/default/web/app?${q}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']);
    assert.ok('conn' in r);
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    const error = await r.conn.openStream(headersFrom({ streamType: 'error' }));
    const stdin = await r.conn.openStream(headersFrom({ streamType: 'stdin' }));
    const stdout = await r.conn.openStream(headersFrom({ streamType: 'stdout' }));
    const stderr = await r.conn.openStream(headersFrom({ streamType: 'stderr' }));
    const [out, err, status] = [readAll(stdout), readAll(stderr), readAll(error)];
    stdin.end('via spdy');
    assert.equal(await out, 'via spdy');
    assert.equal(await err, 'done\n');
    assert.deepEqual(JSON.parse(await status).details.causes, [{ reason: 'ExitCode', message: '2' }]);
    r.conn.destroy();
  });

  test('protocol negotiation failure is a 403 with upstream text', async () => {
    const r = await spdyConnect('/exec/default/web/app?command=true&output=1', ['v9.channel.k8s.io']);
    assert.ok('status' in r);
    assert.equal(r.status, 403);
    assert.match(r.body, /^unable to upgrade: unable to negotiate protocol: client supports \[v9.channel.k8s.io\]/);
  });
});

describe('KubeletServer: attach', () => {
  test('WebSocket attach reads the main process and ends with it', async () => {
    const { ws } = await wsConnect('/attach/default/web/side?input=1&output=1', ['v5.channel.k8s.io']);
    const done = collect(ws);
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('typed\n')]));
    await new Promise((r) => setTimeout(r, 50));
    fake.mainOutput(ids.side!).write('from main\n');
    await new Promise((r) => setTimeout(r, 50));
    fake.exitContainer(ids.side!, 0);
    const got = await done;
    assert.equal(got.get(1)?.toString(), 'typed\nfrom main\n');
    assert.equal(JSON.parse(got.get(3)!.toString()).status, 'Success');
    ids.side = fake.restartContainer(ids.side!, 0);
  });
});

describe('KubeletServer: port-forward', () => {
  async function spdyPair(conn: SpdyConnection, port: number, requestID: string) {
    const error = await conn.openStream(headersFrom({ streamType: 'error', port: String(port), requestID }));
    const data = await conn.openStream(headersFrom({ streamType: 'data', port: String(port), requestID }));
    return { error, data };
  }

  test('SPDY: two concurrent requests, data echoed, half-close ends the reply', async () => {
    const r = await spdyConnect('/portForward/default/web', ['portforward.k8s.io']);
    assert.ok('conn' in r);
    assert.equal(r.protocol, 'portforward.k8s.io');
    const a = await spdyPair(r.conn, 8080, '0');
    const b = await spdyPair(r.conn, 8080, '1');
    const [ra, rb, ea] = [readAll(a.data), readAll(b.data), readAll(a.error)];
    a.data.end('first');
    b.data.end(Buffer.alloc(200_000, 'x'));
    assert.equal(await ra, 'first');
    assert.equal((await rb).length, 200_000);
    assert.equal(await ea, '');
    r.conn.destroy();
  });

  test('SPDY tunnelled in WebSocket (kubectl 1.31+)', async () => {
    const { stream, protocol } = await rawWebSocket('/portForward/default/web', 'SPDY/3.1+portforward.k8s.io');
    assert.equal(protocol, 'SPDY/3.1+portforward.k8s.io');
    const conn = new SpdyConnection(stream, { server: false });
    const p = await spdyPair(conn, 8080, '0');
    const reply = readAll(p.data);
    p.data.end('tunnelled');
    assert.equal(await reply, 'tunnelled');
    conn.destroy();
  });

  test('SPDY: a port nothing listens on reports upstream\'s error on the error stream', async () => {
    const r = await spdyConnect('/portForward/default/web', ['portforward.k8s.io']);
    assert.ok('conn' in r);
    const p = await spdyPair(r.conn, 9999, '0');
    assert.equal(await readAll(p.error), 'error forwarding port 9999 to pod web, uid uid-1: failed to connect to localhost:9999: connection refused');
    r.conn.destroy();
  });

  test('WebSocket v4 channels: port header frames, then data', async () => {
    const { ws } = await wsConnect('/portForward/default/web?port=8080', ['v4.channel.k8s.io']);
    const frames: Buffer[] = [];
    const gotReply = new Promise<void>((resolve) =>
      ws.on('message', (m: Buffer) => {
        frames.push(m);
        if (Buffer.concat(frames.filter((f) => f[0] === 0).map((f) => f.subarray(1))).includes('ping')) resolve();
      }),
    );
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
    await gotReply;
    const port = Buffer.from([0x90, 0x1f]);
    assert.deepEqual(frames[0], Buffer.concat([Buffer.from([0]), port]));
    assert.deepEqual(frames[1], Buffer.concat([Buffer.from([1]), port]));
    ws.close();
  });

  test('WebSocket port-forward needs ports', async () => {
    await assert.rejects(wsConnect('/portForward/default/web', ['v4.channel.k8s.io']), /400: query parameter "port" is required/);
  });
});

describe('KubeletServer: container logs', () => {
  test('plain, tail, timestamps and previous', async () => {
    const id = ids.app!;
    fake.log(id, 'stdout', 'line one', { time: '2024-05-01T10:00:00.000000001Z' });
    fake.log(id, 'stderr', 'line two', { time: '2024-05-01T10:00:01Z' });
    assert.deepEqual(await get('/containerLogs/default/web/app'), { status: 200, body: 'line one\nline two\n' });
    assert.equal((await get('/containerLogs/default/web/app?tailLines=1')).body, 'line two\n');
    assert.equal((await get('/containerLogs/default/web/app?timestamps=true&limitBytes=41')).body, '2024-05-01T10:00:00.000000001Z line one\n2');
    assert.equal((await get('/containerLogs/default/web/app?sinceTime=2024-05-01T10:00:01Z')).body, 'line two\n');
    assert.deepEqual(await get('/containerLogs/default/web/app?previous=true'), { status: 400, body: 'previous terminated container "app" in pod "web" not found' });
    ids.app = fake.restartContainer(id, 1);
    fake.log(ids.app, 'stdout', 'after restart');
    assert.equal((await get('/containerLogs/default/web/app')).body, 'after restart\n');
    assert.equal((await get('/containerLogs/default/web/app?previous=true')).body, 'line one\nline two\n');
  });

  test('follow streams until the container exits', async () => {
    const id = ids.app!;
    const body = get('/containerLogs/default/web/app?follow=true');
    await new Promise((r) => setTimeout(r, 100));
    fake.log(id, 'stdout', 'live');
    await new Promise((r) => setTimeout(r, 100));
    fake.exitContainer(id, 0);
    const r = await body;
    assert.equal(r.status, 200);
    assert.match(r.body, /live\n$/);
    ids.app = fake.restartContainer(id, 0);
  });

  test('a container of a pod the node does not run is waiting to start', async () => {
    assert.deepEqual(await get('/containerLogs/default/ghost/app'), { status: 400, body: 'container "app" in pod "ghost" is waiting to start: ContainerCreating' });
  });
});
