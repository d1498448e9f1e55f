/**
 * Relays an upgrade request (exec, attach, port-forward, node proxy) to a
 * kubelet untouched: the client's protocol choice (WebSocket v5 channels,
 * SPDY/3.1, SPDY tunnelled in WebSocket...) goes to the kubelet, which
 * speaks all of them, and the kubelet's answer comes back byte for byte: a
 * 101 followed by the streams, or an error response (`container not found
 * ("x")`), exactly as upstream's UpgradeAwareHandler passes them through.
 * Only the client's credentials stay behind; the kubelet sees the API
 * server's certificate.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../../machinery/errors/status-error.js';
import { type KubeletClientConfig, type KubeletLocation, dialKubelet, hostPort } from './kubelet-client.js';
import type { UpgradeResponse } from './upgrade-response.js';

/** Request headers that must not reach the kubelet: credentials and what the hop rewrites. */
const DROPPED = /^(host|authorization|proxy-authorization|proxy-connection|keep-alive|impersonate-.*|x-remote-.*)$/i;

const MAX_RESPONSE_HEAD = 64 * 1024;

export interface UpgradeProxyOptions {
  req: IncomingMessage;
  res: UpgradeResponse;
  location: KubeletLocation;
  /** Path and query on the kubelet. */
  path: string;
  client: KubeletClientConfig;
  /** Ends the relay (server shutdown). */
  signal: AbortSignal;
}

/** Resolves once the kubelet answered and the answer is being relayed; failures before that are StatusErrors. */
export async function proxyUpgrade(o: UpgradeProxyOptions): Promise<void> {
  const dialed = await dialKubelet(o.location, o.client);
  if (!dialed.ok) throw new StatusError(500, '', `error dialing backend: ${dialed.message}`);
  const kubelet = dialed.socket;
  const lines = [`${o.req.method ?? 'GET'} ${o.path} HTTP/1.1`, `Host: ${hostPort(o.location)}`];
  const raw = o.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (!DROPPED.test(raw[i]!)) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  kubelet.write(lines.join('\r\n') + '\r\n\r\n');

  const head = await readResponseHead(kubelet);
  if (!head.ok) {
    kubelet.destroy();
    throw new StatusError(500, '', `error proxying to backend: ${head.message}`);
  }
  const client = o.res.takeOver(head.status);
  client.write(head.bytes);
  const teardown = () => {
    client.destroy();
    kubelet.destroy();
  };
  if (o.signal.aborted) return teardown();
  o.signal.addEventListener('abort', teardown, { once: true });
  kubelet.on('error', teardown);
  client.on('error', teardown);
  kubelet.once('close', () => {
    o.signal.removeEventListener('abort', teardown);
    client.end();
  });
  client.once('close', () => kubelet.destroy());
  kubelet.pipe(client, { end: false });
  if (head.status === 101) client.pipe(kubelet);
  else client.resume();
}

type HeadResult = { ok: true; status: number; bytes: Buffer } | { ok: false; message: string };

/** Reads up to the end of the response head; `bytes` holds everything read so far (head and any body). */
function readResponseHead(socket: Duplex): Promise<HeadResult> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const done = (r: HeadResult) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
      resolve(r);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) done({ ok: false, message: 'response head too large' });
        return;
      }
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'));
      if (!m) return done({ ok: false, message: 'malformed HTTP response' });
      done({ ok: true, status: Number(m[1]), bytes: buf });
    };
    const onEnd = () => done({ ok: false, message: 'EOF' });
    const onError = (err: Error) => done({ ok: false, message: err.message });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}
