/**
 * Client side of the Kubernetes streaming protocols over WebSocket, for the
 * URLs a CRI runtime's streaming server hands out from Exec, Attach and
 * PortForward. Every WebSocket message is one channel byte followed by data.
 *
 * remotecommand (exec/attach) channels: 0 stdin, 1 stdout, 2 stderr,
 * 3 error (a metav1.Status JSON from v4 on), 4 resize (JSON
 * {Width,Height}), 255 close (v5 only: `[255, 0]` ends stdin).
 *
 * portforward channels: 2i data and 2i+1 error for the i-th requested port;
 * a server may start each channel with the port as two little-endian bytes.
 *
 * containerd 1.6's streaming server predates v5, so stdin cannot be
 * half-closed there: ending `stdin` is only delivered when v5 was negotiated.
 */
import { Duplex, PassThrough, Writable } from 'node:stream';
import WebSocket from 'ws';
import type { StreamOptions, StreamSession } from '../interface.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];
const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'];

/** The exit code when the runtime's Status says the command failed with one. */
export class ExitCodeError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = 'ExitCodeError';
  }
}

interface WireStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * Reads the error channel's content at the end of a session. Empty means
 * success; a v4+ Status with reason NonZeroExitCode carries the code; anything
 * else is the runtime's error (plain text before v4).
 */
export function parseRemoteCommandStatus(raw: string, protocol: string): { exitCode: number } | { error: string } {
  if (!raw.trim()) return { exitCode: 0 };
  if (protocol === 'channel.k8s.io') return { error: raw };
  let st: WireStatus;
  try {
    st = JSON.parse(raw) as WireStatus;
  } catch {
    return { error: raw };
  }
  if (st.status === 'Success') return { exitCode: 0 };
  if (st.reason === 'NonZeroExitCode') {
    const cause = st.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { error: st.message || raw };
}

function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}

function openWebSocket(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(toWebSocketUrl(url), protocols, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const onError = (err: Error) => reject(new Error(`cri streaming: cannot connect to ${url}: ${err.message}`, { cause: err }));
    ws.once('error', onError);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new Error(`cri streaming: ${url} answered ${res.statusCode}: ${body.trim()}`)));
      ws.removeListener('error', onError);
    });
    ws.once('open', () => {
      ws.removeListener('error', onError);
      resolve(ws);
    });
  });
}

function frame(channel: number, data: Buffer | Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  return Buffer.concat([Buffer.of(channel), body]);
}

/** Opens an exec or attach session on a remotecommand URL. */
export async function connectRemoteCommand(url: string, opts: StreamOptions): Promise<StreamSession> {
  const ws = await openWebSocket(url, REMOTECOMMAND_PROTOCOLS);
  const protocol = ws.protocol;
  const stdout = opts.stdout ? new PassThrough() : undefined;
  const stderr = opts.stderr && !opts.tty ? new PassThrough() : undefined;
  let errorText = '';

  const stdin = opts.stdin
    ? new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (ws.readyState !== WebSocket.OPEN) return cb();
          ws.send(frame(STDIN, chunk), cb);
        },
        final(cb) {
          if (protocol === 'v5.channel.k8s.io' && ws.readyState === WebSocket.OPEN) ws.send(Buffer.of(CLOSE, STDIN), () => cb());
          else cb();
        },
      })
    : undefined;
  // Writes after the session ended are dropped, not errors: the process is gone.
  stdin?.on('error', () => {});

  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const body = data.subarray(1);
    switch (data[0]) {
      case STDOUT:
        if (body.length) stdout?.write(body);
        break;
      case STDERR:
        if (body.length) (stderr ?? stdout)?.write(body);
        break;
      case ERROR:
        errorText += body.toString();
        break;
    }
  });

  const exit = new Promise<number>((resolve, reject) => {
    const finish = (err?: Error) => {
      stdout?.end();
      stderr?.end();
      stdin?.destroy();
      if (err) return reject(err);
      const r = parseRemoteCommandStatus(errorText, protocol);
      if ('exitCode' in r) resolve(r.exitCode);
      else reject(new Error(r.error));
    };
    ws.once('close', () => finish());
    ws.once('error', (err) => finish(err));
  });
  // The owner may close without awaiting exit; an unobserved failure must not crash the agent.
  exit.catch(() => {});

  return {
    stdin,
    stdout,
    stderr,
    resize(size) {
      if (!opts.tty || ws.readyState !== WebSocket.OPEN) return;
      ws.send(frame(RESIZE, JSON.stringify({ Width: size.width, Height: size.height })));
    },
    exit,
    close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    },
  };
}

/**
 * How long connectPortForward waits for the runtime to report a failed dial.
 * The streaming server dials the pod port as soon as the socket opens but
 * reports only failure, so a short quiet period stands for success.
 */
const PORT_FORWARD_SETTLE_MS = 100;

/**
 * Opens one port-forward connection on a portforward URL (the URL must
 * have been issued for `port`). The duplex carries the connection's bytes.
 * A refused port rejects, as a refused TCP connect would; an error the server
 * reports later destroys the duplex.
 */
export async function connectPortForward(url: string, port: number, opts: { settleMs?: number } = {}): Promise<Duplex> {
  const u = new URL(url);
  u.searchParams.set('port', String(port));
  const ws = await openWebSocket(u.toString(), PORTFORWARD_PROTOCOLS);
  const seenPrefix = [false, false];
  let errorText = '';
  let settled = false;
  let onEarlyEnd: (() => void) | undefined;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== WebSocket.OPEN) return cb(new Error('cri port-forward: connection closed'));
      ws.send(frame(0, chunk), cb);
    },
    final(cb) {
      // The protocol has no half-close; the stream ends when the server closes.
      cb();
    },
    destroy(err, cb) {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      cb(err);
    },
  });
  const fail = () => new Error(`cri port-forward to port ${port}: ${errorText.trim()}`);
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0];
    if (channel > 1) return;
    const body = data.subarray(1);
    if (!seenPrefix[channel]) {
      seenPrefix[channel] = true;
      // Servers that announce the port write it as a message of its own; containerd 1.6 does not announce it.
      if (body.length === 2 && body.readUInt16LE(0) === port) return;
    }
    if (!body.length) return;
    if (channel === 0) {
      duplex.push(body);
      return;
    }
    // The server reports a failed dial on the error channel and may keep the socket open.
    errorText += body.toString();
    if (!settled) onEarlyEnd?.();
    else duplex.destroy(fail());
  });
  ws.once('close', () => {
    if (!settled) onEarlyEnd?.();
    else if (errorText) duplex.destroy(fail());
    else duplex.push(null);
  });
  ws.once('error', (err) => {
    if (settled) duplex.destroy(err);
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, opts.settleMs ?? PORT_FORWARD_SETTLE_MS);
    onEarlyEnd = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  settled = true;
  if (errorText) {
    ws.close(1000);
    throw fail();
  }
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) duplex.push(null);
  return duplex;
}
