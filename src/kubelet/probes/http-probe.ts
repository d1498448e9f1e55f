/**
 * httpGet probes: a GET with kube-probe's User-Agent; 200-399 is success.
 * Redirects are followed on the same host (at most 10); a redirect to
 * another host is not followed and counts as a success with a warning.
 * Certificates are not verified, as upstream. Only the status code reaches
 * the failure message, never the body.
 */
import http from 'node:http';
import https from 'node:https';
import type { ProbeOutcome } from './types.js';
import { joinHostPort } from './port.js';

export interface HTTPProbeRequest {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers: { name: string; value: string }[];
  timeoutMs: number;
  userAgent: string;
}

const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

interface Response {
  status: number;
  location?: string;
  body: string;
}

function goDialError(err: NodeJS.ErrnoException, hostPort: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${hostPort}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${hostPort}: connect: network is unreachable`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
  }
  return err.message;
}

function once(url: URL, req: HTTPProbeRequest, deadline: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    let hostHeader: string | undefined;
    for (const h of req.headers) {
      if (h.name.toLowerCase() === 'host') hostHeader = h.value;
      else headers[h.name] = h.value;
    }
    const has = (n: string) => Object.keys(headers).some((k) => k.toLowerCase() === n);
    if (!has('user-agent')) headers['User-Agent'] = req.userAgent;
    if (!has('accept')) headers['Accept'] = '*/*';
    if (hostHeader !== undefined) headers['Host'] = hostHeader;
    const mod = url.protocol === 'https:' ? https : http;
    const remaining = Math.max(1, deadline - Date.now());
    const r = mod.request(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false, timeout: remaining }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => r.destroy(Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' })), remaining);
    r.on('close', () => clearTimeout(timer));
    r.on('timeout', () => r.destroy(Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' })));
    r.on('error', reject);
    r.end();
  });
}

export async function httpProbe(req: HTTPProbeRequest): Promise<ProbeOutcome> {
  const scheme = req.scheme === 'HTTPS' ? 'https' : 'http';
  const hostPort = joinHostPort(req.host, req.port);
  let url: URL;
  try {
    url = new URL(req.path.startsWith('/') || req.path === '' ? req.path || '/' : `/${req.path}`, `${scheme}://${hostPort}`);
  } catch {
    url = new URL(`${scheme}://${hostPort}/`);
  }
  const firstHost = url.hostname;
  const deadline = Date.now() + req.timeoutMs;
  let res: Response;
  for (let redirects = 0; ; redirects++) {
    const shown = url.href.replace(/\/$/, req.path === '' ? '' : '/');
    try {
      res = await once(url, req, deadline);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const detail = e.code === 'PROBE_TIMEOUT' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : goDialError(e, hostPort);
      return { result: 'Failure', message: `Get "${shown}": ${detail}` };
    }
    if (res.status < 300 || res.status >= 400 || !res.location) break;
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      break;
    }
    if (next.hostname !== firstHost) break;
    if (redirects + 1 >= MAX_REDIRECTS) return { result: 'Failure', message: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
    url = next;
  }
  if (res.status >= 200 && res.status < 400) {
    if (res.status >= 300) return { result: 'Success', warning: true, message: `Probe terminated redirects, Response body: ${res.body}` };
    return { result: 'Success', message: res.body };
  }
  return { result: 'Failure', message: `HTTP probe failed with statuscode: ${res.status}` };
}
