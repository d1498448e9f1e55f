/**
 * HTTP(S) requests for registries over node:http/https: per-host TLS
 * settings (custom CA, client certificate, skip-verify) that fetch cannot
 * express, redirects followed (blob storage backends redirect downloads),
 * and response bodies handed back as streams.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface TLSSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify?: boolean;
}

export interface HTTPRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  tls?: TLSSettings;
  signal?: AbortSignal;
  /** Redirects to follow (0 hands the 3xx back). */
  maxRedirects?: number;
}

export interface HTTPResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  url: string;
  body: Readable;
  /** Reads and returns the whole body. */
  buffer(): Promise<Buffer>;
  /** Discards the body so the socket is released. */
  drain(): void;
}

export type HTTPDoer = (req: HTTPRequest) => Promise<HTTPResponse>;

function once(req: HTTPRequest): Promise<HTTPResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url);
    const mod = u.protocol === 'https:' ? https : http;
    const options: https.RequestOptions = {
      method: req.method,
      headers: req.headers,
      signal: req.signal,
    };
    if (u.protocol === 'https:') {
      if (req.tls?.ca) options.ca = req.tls.ca;
      if (req.tls?.cert) options.cert = req.tls.cert;
      if (req.tls?.key) options.key = req.tls.key;
      if (req.tls?.insecureSkipVerify) options.rejectUnauthorized = false;
    }
    const r = mod.request(u, options, (res) => {
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        url: req.url,
        body: res,
        buffer: async () => {
          const parts: Buffer[] = [];
          for await (const c of res) parts.push(c as Buffer);
          return Buffer.concat(parts);
        },
        drain: () => res.resume(),
      });
    });
    r.on('error', reject);
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else req.body.pipe(r);
  });
}

/** Sends a request, following redirects for GET/HEAD (never resending credentials to another host). */
export const httpRequest: HTTPDoer = async (req) => {
  let current = req;
  for (let hops = 0; ; hops++) {
    const res = await once(current);
    const location = res.headers.location;
    const redirect = [301, 302, 303, 307, 308].includes(res.status) && location && (current.method === 'GET' || current.method === 'HEAD');
    if (!redirect || hops >= (req.maxRedirects ?? 10)) return res;
    res.drain();
    const next = new URL(location, current.url);
    const headers = { ...(current.headers ?? {}) };
    if (next.host !== new URL(current.url).host) delete headers.Authorization;
    current = { ...current, url: next.toString(), headers, tls: next.host === new URL(req.url).host ? req.tls : undefined };
  }
};
