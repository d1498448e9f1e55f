/**
 * Writing responses: JSON bodies, Status errors, and content negotiation for
 * the media type parameters kubectl and client-go send (Table,
 * PartialObjectMetadata, aggregated discovery).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { StatusError, internalError } from '../../machinery/errors/status-error.js';

/** The subset of a response object that http and http2 compat responses share. */
export interface Response {
  statusCode: number;
  headersSent: boolean;
  writableEnded: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  getHeader(name: string): unknown;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  once(event: 'drain' | 'close', fn: () => void): unknown;
}

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header into media ranges in the order given (q ignored beyond 0 = refuse). */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {} }];
  const out: MediaType[] = [];
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    if (p.q === '0') continue;
    out.push({ type: type.toLowerCase(), params: p });
  }
  return out;
}

export type Representation =
  | { kind: 'object' }
  | { kind: 'table'; version: string }
  | { kind: 'partial'; version: string }
  | { kind: 'discovery'; version: string };

const JSONISH = new Set(['application/json', '*/*', 'application/*', 'application/yaml']);

/**
 * Picks what to send for a resource request: the object, a Table, or
 * PartialObjectMetadata(List). The first acceptable range wins, as upstream.
 */
export function negotiateRepresentation(accept: string | undefined, list: boolean): Representation | undefined {
  for (const m of parseAccept(accept)) {
    if (!JSONISH.has(m.type)) continue;
    const as = m.params.as;
    if (!as) return { kind: 'object' };
    if (m.params.g !== 'meta.k8s.io') continue;
    const version = m.params.v ?? 'v1';
    if (version !== 'v1' && version !== 'v1beta1') continue;
    if (as === 'Table') return { kind: 'table', version };
    if (as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata') || as === 'PartialObjectMetadata') return { kind: 'partial', version };
  }
  return undefined;
}

export function wantsYAML(accept: string | undefined): boolean {
  const first = parseAccept(accept)[0];
  return first?.type === 'application/yaml';
}

export function writeJSON(res: Response, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  res.end(text);
}

export function writeRaw(res: Response, code: number, text: string | Uint8Array, contentType: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.end(text);
}

export function toStatusError(err: unknown): StatusError {
  return err instanceof StatusError ? err : internalError(err);
}

export function writeError(res: Response, err: unknown): void {
  const se = toStatusError(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  if (se.details?.retryAfterSeconds) res.setHeader('Retry-After', String(se.details.retryAfterSeconds));
  writeJSON(res, se.code, se.toStatus());
}

/** Adds `Warning: 299 - "text"` headers, as upstream does for deprecations and unknown fields. */
export function setWarnings(res: Response, warnings: string[]): void {
  if (!warnings.length || res.headersSent) return;
  const uniq = [...new Set(warnings)].slice(0, 100);
  res.setHeader('Warning', uniq.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`));
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
