/**
 * Client side of remotecommand over SPDY/3.1 (an HTTP Upgrade to the URL a
 * CRI runtime returned from Exec/Attach). Used when stdin is streamed: SPDY
 * can half-close the stdin stream (FIN), which the WebSocket protocol before
 * v5 cannot, and containerd 1.6 speaks only up to v4.
 *
 * One SPDY stream per channel, named by the `streamtype` header: error,
 * stdin, stdout, stderr, and resize with a tty. The error stream carries the
 * final metav1.Status.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { StreamOptions, StreamSession } from '../interface.js';
import { SpdyConnection, type SpdyStream } from '../../server/spdy/connection.js';
import { headersFrom } from '../../server/spdy/header-block.js';
import { parseRemoteCommandStatus } from './streaming-client.js';

const PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

function upgrade(url: string): Promise<{ socket: Socket; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PROTOCOLS },
    });
    req.once('upgrade', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ socket, protocol: String(res.headers['x-stream-protocol-version'] ?? 'channel.k8s.io') });
    });
    req.once('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new Error(`cri streaming: ${url} answered ${res.statusCode}: ${body.trim()}`)));
    });
    req.once('error', (err) => reject(new Error(`cri streaming: cannot connect to ${url}: ${err.message}`, { cause: err })));
    req.end();
  });
}

export async function connectSpdyRemoteCommand(url: string, opts: StreamOptions): Promise<StreamSession> {
  const { socket, protocol } = await upgrade(url);
  const conn = new SpdyConnection(socket, { server: false });
  conn.on('error', () => {});
  const open = (type: string) => conn.openStream(headersFrom({ streamtype: type }));
  // The server counts the streams it expects from the request's options; all must be opened.
  const errorStream = await open('error');
  const stdinStream = opts.stdin ? await open('stdin') : undefined;
  const stdoutStream = opts.stdout ? await open('stdout') : undefined;
  const stderrStream = opts.stderr && !opts.tty ? await open('stderr') : undefined;
  const resizeStream = opts.tty ? await open('resize') : undefined;

  const expose = (s: SpdyStream | undefined) => {
    if (!s) return undefined;
    const out = new PassThrough();
    s.on('data', (c: Buffer) => out.write(c));
    s.on('end', () => out.end());
    s.on('close', () => out.end());
    return out;
  };
  const stdout = expose(stdoutStream);
  const stderr = expose(stderrStream);
  stdinStream?.on('error', () => {});

  let errorText = '';
  errorStream.on('data', (c: Buffer) => (errorText += c.toString()));
  const exit = new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      const r = parseRemoteCommandStatus(errorText, protocol);
      // Output streams may still hold frames queued before the status; let them drain first.
      setImmediate(() => {
        stdout?.end();
        stderr?.end();
        void conn.close();
        if ('exitCode' in r) resolve(r.exitCode);
        else reject(new Error(r.error));
      });
    };
    errorStream.on('end', finish);
    conn.on('close', finish);
  });
  exit.catch(() => {});

  return {
    stdin: stdinStream,
    stdout,
    stderr,
    resize(size) {
      if (!resizeStream || conn.isClosed) return;
      resizeStream.write(JSON.stringify({ Width: size.width, Height: size.height }));
    },
    exit,
    close() {
      conn.destroy();
    },
  };
}
