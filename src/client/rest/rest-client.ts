/**
 * JSON requests over a `Transport`. Every non-2xx answer becomes a
 * `StatusError` built from the server's Status body (or, when the body is
 * not a Status, one synthesized from the HTTP code as upstream does).
 */
import { type Status, StatusError, type StatusReason } from '../../machinery/errors/index.js';
import { isObject } from '../../machinery/meta/types.js';
import type { Transport, TransportRequest, TransportStream } from './transport.js';

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function isStatus(v: unknown): v is Status {
  return isObject(v) && v.kind === 'Status' && typeof v.code === 'number';
}

/** The error a failed response stands for. */
export function errorFromResponse(status: number, body: Uint8Array): StatusError {
  const text = Buffer.from(body).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (isStatus(parsed)) return StatusError.fromStatus(parsed);
  } catch {
    // Not JSON: fall through to a generic error carrying the text.
  }
  const reason = reasonByCode[status] ?? 'Unknown';
  const message = text.trim() || `the server responded with the status code ${status} but did not return more information`;
  return new StatusError(status, reason, message);
}

export type JSONRequest = Omit<TransportRequest, 'body' | 'contentType'> & { body?: unknown; contentType?: string };

export class RESTClient {
  constructor(readonly transport: Transport) {}

  async do<T>(req: JSONRequest): Promise<T> {
    const res = await this.transport.request(encode(req));
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body);
    const text = Buffer.from(res.body).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Opens a streaming response; a non-2xx answer is read fully and thrown. */
  async stream(req: JSONRequest): Promise<TransportStream> {
    const res = await this.transport.stream(encode(req));
    if (res.status >= 200 && res.status <= 299) return res;
    const chunks: Uint8Array[] = [];
    for await (const c of res.body) chunks.push(c);
    throw errorFromResponse(res.status, Buffer.concat(chunks));
  }
}

function encode(req: JSONRequest): TransportRequest {
  const out: TransportRequest = { ...req, body: undefined, contentType: undefined };
  if (req.body !== undefined) {
    out.body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    out.contentType = req.contentType ?? 'application/json';
  }
  return out;
}
