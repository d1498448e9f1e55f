import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { ContainerT, PodT, ProbeT } from '../../api/core/v1/types.js';
import { HEALTH_CHECK_METHOD, decodeHealthCheckRequest, encodeHealthCheckResponse } from './grpc-health.js';
import { Prober } from './prober.js';
import type { ExecOutput, ProbeContext, ProbeOutcome } from './types.js';

const pod: PodT = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };
const container = (ports: ContainerT['ports'] = []): ContainerT => ({ name: 'c', image: 'busybox', ports });
const noExec = async (): Promise<ExecOutput> => {
  throw new Error('no exec');
};
const ctx: ProbeContext = { podIP: '127.0.0.1', exec: noExec };
const prober = new Prober({ userAgent: 'kube-probe/1.35' });

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('httpGet probes', () => {
  let server: http.Server;
  let port: number;
  let lastHeaders: http.IncomingHttpHeaders = {};
  before(async () => {
    server = http.createServer((req, res) => {
      lastHeaders = req.headers;
      const url = req.url ?? '';
      if (url === '/ok' || url === '/') return res.end('fine');
      if (url === '/fail') return res.writeHead(500).end('secret body');
      if (url === '/notfound') return res.writeHead(404).end();
      if (url === '/same') return res.writeHead(302, { location: '/ok' }).end();
      if (url === '/other') return res.writeHead(301, { location: `http://localhost:${port}/fail` }).end('moved');
      if (url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (url === '/slow') return void setTimeout(() => res.end('late'), 2500);
      res.writeHead(400).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const get = (path: string, extra: Partial<NonNullable<ProbeT['httpGet']>> = {}, timeoutSeconds?: number): ProbeT => ({ httpGet: { port, path, ...extra }, timeoutSeconds });
  const cases: { name: string; probe: () => ProbeT; c?: ContainerT; want: (p: number) => ProbeOutcome }[] = [
    { name: '200 is success with the body', probe: () => get('/ok'), want: () => ({ result: 'Success', message: 'fine' }) },
    { name: '500 fails with the status code only', probe: () => get('/fail'), want: () => ({ result: 'Failure', message: 'HTTP probe failed with statuscode: 500' }) },
    { name: '404 fails', probe: () => get('/notfound'), want: () => ({ result: 'Failure', message: 'HTTP probe failed with statuscode: 404' }) },
    { name: 'same-host redirect is followed', probe: () => get('/same'), want: () => ({ result: 'Success', message: 'fine' }) },
    { name: 'other-host redirect is a success with a warning', probe: () => get('/other'), want: () => ({ result: 'Success', warning: true, message: 'Probe terminated redirects, Response body: moved' }) },
    { name: 'redirect loop stops after 10', probe: () => get('/loop'), want: (p) => ({ result: 'Failure', message: `Get "http://127.0.0.1:${p}/loop": stopped after 10 redirects` }) },
    { name: 'timeout', probe: () => get('/slow', {}, 1), want: (p) => ({ result: 'Failure', message: `Get "http://127.0.0.1:${p}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }) },
    { name: 'named port', probe: () => ({ httpGet: { port: 'web', path: '/ok' } }), c: container([{ name: 'web', containerPort: 0 }]), want: () => ({ result: 'Success', message: 'fine' }) },
    { name: 'unknown port name', probe: () => ({ httpGet: { port: 'nope', path: '/ok' } }), want: () => ({ result: 'Unknown', message: 'strconv.Atoi: parsing "nope": invalid syntax' }) },
    { name: 'number written as a string', probe: () => ({ httpGet: { port: String(port), path: '/ok' } }), want: () => ({ result: 'Success', message: 'fine' }) },
    { name: 'out of range port', probe: () => ({ httpGet: { port: 70000 } }), want: () => ({ result: 'Unknown', message: 'invalid port number: 70000' }) },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      let cont = c.c;
      if (cont?.ports?.[0]) cont = { ...cont, ports: [{ ...cont.ports[0], containerPort: port }] };
      assert.deepEqual(await prober.probe(pod, cont ?? container(), c.probe(), ctx), c.want(port));
    });
  }

  test('sends kube-probe user agent, custom headers and Host', async () => {
    await prober.probe(pod, container(), get('/ok', { httpHeaders: [{ name: 'X-Custom', value: 'v' }, { name: 'Host', value: 'example.com' }] }), ctx);
    assert.equal(lastHeaders['user-agent'], 'kube-probe/1.35');
    assert.equal(lastHeaders['accept'], '*/*');
    assert.equal(lastHeaders['x-custom'], 'v');
    assert.equal(lastHeaders['host'], 'example.com');
  });

  test('connection refused', async () => {
    const p = await closedPort();
    assert.deepEqual(await prober.probe(pod, container(), { httpGet: { port: p, path: '/healthz' } }, ctx), { result: 'Failure', message: `Get "http://127.0.0.1:${p}/healthz": dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });

  test('host defaults to the pod IP and may be overridden', async () => {
    assert.equal((await prober.probe(pod, container(), get('/ok'), { podIP: '127.0.0.1', exec: noExec })).result, 'Success');
    assert.equal((await prober.probe(pod, container(), get('/ok', { host: '127.0.0.1' }), { podIP: '192.0.2.1', exec: noExec })).result, 'Success');
  });
});

describe('tcpSocket probes', () => {
  let server: net.Server;
  let port: number;
  before(async () => {
    server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => new Promise<void>((r) => server.close(() => r())));

  test('open port succeeds', async () => {
    assert.deepEqual(await prober.probe(pod, container(), { tcpSocket: { port } }, ctx), { result: 'Success', message: '' });
  });
  test('closed port fails', async () => {
    const p = await closedPort();
    assert.deepEqual(await prober.probe(pod, container(), { tcpSocket: { port: p } }, ctx), { result: 'Failure', message: `dial tcp 127.0.0.1:${p}: connect: connection refused` });
  });
});

describe('exec probes', () => {
  const exec = (out: Partial<ExecOutput>) => async (): Promise<ExecOutput> => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, ...out });
  const cases: { name: string; out: Partial<ExecOutput> | Error; want: ProbeOutcome }[] = [
    { name: 'exit 0 succeeds with output', out: { stdout: 'ok\n' }, want: { result: 'Success', message: 'ok\n' } },
    { name: 'non-zero fails with stdout and stderr', out: { exitCode: 1, stdout: 'out ', stderr: 'err' }, want: { result: 'Failure', message: 'out err' } },
    { name: 'timeout fails', out: { exitCode: -1, timedOut: true }, want: { result: 'Failure', message: 'command "cat /tmp/healthy" timed out' } },
    { name: 'exec error is unknown', out: new Error('container not running'), want: { result: 'Unknown', message: 'container not running' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      let seen: { cmd: string[]; timeoutMs: number } | undefined;
      const run = async (cmd: string[], timeoutMs: number) => {
        seen = { cmd, timeoutMs };
        if (c.out instanceof Error) throw c.out;
        return exec(c.out)();
      };
      const got = await prober.probe(pod, container(), { exec: { command: ['cat', '/tmp/healthy'] }, timeoutSeconds: 2 }, { podIP: '', exec: run });
      assert.deepEqual(got, c.want);
      assert.deepEqual(seen, { cmd: ['cat', '/tmp/healthy'], timeoutMs: 2000 });
    });
  }
});

describe('grpc probes', () => {
  let server: grpc.Server;
  let bare: grpc.Server;
  let port: number;
  let barePort: number;
  const statuses: Record<string, number> = { '': 1, down: 2 };
  before(async () => {
    server = new grpc.Server();
    server.addService(
      {
        Check: {
          path: HEALTH_CHECK_METHOD,
          requestStream: false,
          responseStream: false,
          requestSerialize: (x: unknown) => x as Buffer,
          requestDeserialize: (b: Buffer) => decodeHealthCheckRequest(b),
          responseSerialize: (m: { status: number }) => encodeHealthCheckResponse(m),
          responseDeserialize: (b: Buffer) => b,
        },
      },
      {
        Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, cb: grpc.sendUnaryData<{ status: number }>) => {
          const s = statuses[call.request.service];
          if (s === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
          else cb(null, { status: s });
        },
      },
    );
    bare = new grpc.Server();
    const bind = (s: grpc.Server) => new Promise<number>((r, j) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
    port = await bind(server);
    barePort = await bind(bare);
  });
  after(() => {
    server.forceShutdown();
    bare.forceShutdown();
  });

  const cases: { name: string; service: string; bare?: boolean; want: ProbeOutcome }[] = [
    { name: 'serving', service: '', want: { result: 'Success', message: 'service healthy' } },
    { name: 'not serving', service: 'down', want: { result: 'Failure', message: 'service unhealthy (responded with "NOT_SERVING")' } },
    { name: 'unknown service', service: 'nope', want: { result: 'Failure', message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' } },
    { name: 'no health service', service: '', bare: true, want: { result: 'Failure', message: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): The server does not implement the method /grpc.health.v1.Health/Check' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assert.deepEqual(await prober.probe(pod, container(), { grpc: { port: c.bare ? barePort : port, service: c.service } }, ctx), c.want);
    });
  }

  test('nothing listening times out connecting', async () => {
    const p = await closedPort();
    assert.deepEqual(await prober.probe(pod, container(), { grpc: { port: p }, timeoutSeconds: 1 }, ctx), { result: 'Failure', message: `timeout: failed to connect service "127.0.0.1:${p}" within 1s: context deadline exceeded` });
  });
});
