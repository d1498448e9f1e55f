/**
 * Port forwarding, as kubelet serves it:
 * - `portforward.k8s.io` over SPDY (and the same SPDY tunnelled through
 *   WebSocket by kubectl 1.31+): per forwarded connection the client opens
 *   an error stream and a data stream carrying `port` and the same
 *   `requestID`; the pair gets one connection into the pod. Half-closes
 *   travel both ways (client FIN ends the pod connection's write side).
 * - WebSocket channels (`v4.channel.k8s.io`): ports from `?port=`, data on
 *   channel 2i and errors on 2i+1, each channel opened with the port number.
 * Failures are written to the error stream as upstream words them:
 * `error forwarding port P to pod NAME, uid UID: ...`.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../machinery/log.js';
import { type ChannelProtocol, decodeChannelMessage, encodeChannelMessage } from './channel.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

export interface ForwardTarget {
  /** Pod name and uid, for error messages. */
  pod: string;
  uid: string;
  /** A connection to `port` in the pod's network namespace. */
  connect(port: number): Promise<Duplex>;
}

export interface PortForwardOptions {
  /** How long the second stream of a pair may lag behind the first. */
  streamCreationTimeoutMs: number;
  logger: Logger;
}

function forwardError(target: ForwardTarget, port: number, err: unknown): string {
  return `error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${err instanceof Error ? err.message : String(err)}`;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Serves every stream pair of one SPDY connection until it closes. */
export function serveSpdyPortForward(conn: SpdyConnection, target: ForwardTarget, opts: PortForwardOptions): void {
  const pairs = new Map<string, Pair>();
  conn.on('stream', (stream) => {
    stream.on('error', () => undefined);
    const portText = stream.header('port') ?? '';
    const port = Number(portText);
    const type = stream.header('streamType');
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535 || (type !== 'data' && type !== 'error')) {
      opts.logger.debug('port-forward stream rejected', { port: portText, streamType: type });
      stream.destroy();
      return;
    }
    // Old clients send no requestID; their data stream follows its error stream by one id (step 2).
    const requestID = stream.header('requestID') ?? String(type === 'error' ? stream.id : stream.id - 2);
    let pair = pairs.get(requestID);
    if (!pair) {
      const timer = setTimeout(() => {
        const p = pairs.get(requestID);
        pairs.delete(requestID);
        if (p?.error) p.error.end(`(conn=${conn.isClosed ? 'closed' : 'open'}, request=${requestID}) timed out waiting for streams`);
        p?.data?.destroy();
      }, opts.streamCreationTimeoutMs);
      timer.unref();
      pair = { timer };
      pairs.set(requestID, pair);
    }
    if (pair[type]) {
      pair.error?.write(`error processing stream for request ${requestID}: ${type} stream already assigned`);
      stream.destroy();
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestID);
      void forwardPair(pair.data, pair.error, port, target);
    }
  });
  conn.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}

async function forwardPair(data: SpdyStream, error: SpdyStream, port: number, target: ForwardTarget): Promise<void> {
  let upstream: Duplex;
  try {
    upstream = await target.connect(port);
  } catch (err) {
    error.end(forwardError(target, port, err));
    data.end();
    return;
  }
  let failed = false;
  upstream.on('error', (err) => {
    if (failed) return;
    failed = true;
    if (!error.destroyed) error.end(forwardError(target, port, err));
    data.destroy();
  });
  data.on('close', () => upstream.destroy());
  data.pipe(upstream);
  upstream.pipe(data);
  upstream.once('end', () => {
    if (!error.destroyed && !error.writableEnded) error.end();
  });
}

/** Serves one WebSocket port-forward connection (all its ports) until it closes. */
export function serveWebSocketPortForward(ws: WebSocket, protocol: ChannelProtocol, ports: readonly number[], target: ForwardTarget, opts: { logger: Logger }): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    const m = encodeChannelMessage(protocol, channel, data);
    ws.send(m.data, { binary: m.binary });
  };
  const conns: (Duplex | undefined)[] = [];
  const pending: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const done = () => {
    open -= 1;
    if (open <= 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    target.connect(port).then(
      (c) => {
        if (ws.readyState !== ws.OPEN) return c.destroy();
        conns[i] = c;
        for (const b of pending[i]!) c.write(b);
        pending[i] = [];
        c.on('data', (d: Buffer) => send(2 * i, d));
        c.on('error', (err) => send(2 * i + 1, Buffer.from(forwardError(target, port, err))));
        c.on('close', done);
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(forwardError(target, port, err)));
        done();
      },
    );
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    const m = decodeChannelMessage(protocol, buf);
    if (!m.ok || m.channel % 2 !== 0) return;
    const i = m.channel / 2;
    if (i >= ports.length || !m.data.length) return;
    const c = conns[i];
    if (c) c.write(m.data);
    else pending[i]?.push(m.data);
  });
  ws.on('close', () => conns.forEach((c) => c?.destroy()));
  ws.on('error', () => undefined);
  opts.logger.debug('port-forward over websocket', { pod: target.pod, ports: ports.join(',') });
}
