/**
 * Plain (non-upgrade) requests to a kubelet: pods/log and nodes/proxy.
 * The response body streams through with backpressure and stops when the
 * client leaves. pods/log turns kubelet errors into Status objects as
 * upstream's response checker does (400 → BadRequest with the kubelet's
 * text, 500 → InternalError, others by code); node proxy relays them as is.
 */
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { StatusError } from '../../machinery/errors/status-error.js';
import type { Response } from '../http/respond.js';
import { type KubeletClientConfig, type KubeletLocation, dialErrorText, hostPort } from './kubelet-client.js';

/** Headers a proxied response must not carry over (this hop frames the body itself). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'content-length']);
const DROPPED_REQUEST = /^(host|authorization|proxy-authorization|connection|keep-alive|transfer-encoding|upgrade|te|impersonate-.*|x-remote-.*|:.*)$/i;
const MAX_ERROR_BODY = 64 * 1024;

export interface KubeletRequest {
  location: KubeletLocation;
  method: string;
  /** Path and query on the kubelet. */
  path: string;
  client: KubeletClientConfig;
  headers?: IncomingHttpHeaders;
  body?: Readable;
  signal: AbortSignal;
}

export type KubeletResponse = { ok: true; res: IncomingMessage } | { ok: false; message: string };

/** Sends the request; a failure to reach the kubelet is worded as Go's HTTP client: `Get "https://...": dial tcp ...`. */
export function requestKubelet(r: KubeletRequest): Promise<KubeletResponse> {
  const url = `https://${hostPort(r.location)}${r.path}`;
  const op = r.method.charAt(0).toUpperCase() + r.method.slice(1).toLowerCase();
  if (r.location.simulated) {
    return Promise.resolve({ ok: false, message: `${op} "${url}": ${dialErrorText(r.location, Object.assign(new Error(''), { code: 'ECONNREFUSED' }))}` });
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined && !DROPPED_REQUEST.test(k)) headers[k] = v;
  return new Promise((resolve) => {
    const req = https.request({ host: r.location.host, port: r.location.port, method: r.method, path: r.path, headers, cert: r.client.certPEM, key: r.client.keyPEM, ca: r.client.caPEM, agent: false });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), r.client.dialTimeoutMs ?? 10_000);
    req.once('socket', (s) => s.once('secureConnect', () => clearTimeout(timer)));
    const abort = () => req.destroy();
    r.signal.addEventListener('abort', abort, { once: true });
    req.once('response', (res) => {
      clearTimeout(timer);
      res.once('close', () => r.signal.removeEventListener('abort', abort));
      resolve({ ok: true, res });
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      r.signal.removeEventListener('abort', abort);
      resolve({ ok: false, message: `${op} "${url}": ${dialErrorText(r.location, err)}` });
    });
    if (r.body) r.body.pipe(req);
    else req.end();
  });
}

async function readLimited(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    const b = c as Buffer;
    if (size < MAX_ERROR_BODY) chunks.push(b.subarray(0, MAX_ERROR_BODY - size));
    size += b.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A kubelet error response as the Status upstream's GenericHttpResponseChecker makes of it. */
export async function kubeletErrorStatus(res: IncomingMessage, target: { resource: string; name: string }): Promise<StatusError> {
  const body = await readLimited(res);
  const code = res.statusCode ?? 500;
  if (code === 500) return new StatusError(500, 'InternalError', `Internal error occurred: ${body}`, { causes: [{ message: body }] });
  if (code === 400) return new StatusError(400, 'BadRequest', body);
  const reason = code === 404 ? 'NotFound' : code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : code === 503 ? 'ServiceUnavailable' : 'InternalError';
  const base = code === 404 ? 'the server could not find the requested resource' : code === 403 ? 'forbidden' : code === 401 ? 'the server has asked for the client to provide credentials' : `an error on the server ("${body}") has prevented the request from succeeding`;
  return new StatusError(code, reason, `${base} ( ${target.resource} ${target.name})`, { name: target.name, kind: target.resource, causes: [{ reason: 'UnexpectedServerResponse', message: body }] });
}

/** Streams a kubelet response body into the client's response (status and headers already set by the caller). */
export function relayBody(from: IncomingMessage, to: Response): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (!to.writableEnded) to.end();
      resolve();
    };
    from.on('data', (d: Buffer) => {
      if (!to.write(d)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.once('end', finish);
    from.once('close', finish);
    from.once('error', finish);
    to.once('close', () => {
      from.destroy();
      finish();
    });
  });
}

/** Copies the kubelet's status and end-to-end headers (node proxy). */
export function copyResponseHead(from: IncomingMessage, to: Response): void {
  to.statusCode = from.statusCode ?? 502;
  for (const [k, v] of Object.entries(from.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) to.setHeader(k, v);
}
