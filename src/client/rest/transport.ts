/**
 * The seam between the REST client and the wire. The HTTP/2 implementation
 * talks TLS to a remote server; an in-process server can implement the same
 * interface without a socket.
 */
export type QueryValue = string | number | boolean | undefined;

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path on the server, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: string | Uint8Array;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A long-running response whose body arrives in chunks (watches, logs). */
export interface TransportStream {
  status: number;
  headers: Record<string, string>;
  /** Ends when the server closes the response or the request's signal aborts. */
  body: AsyncIterable<Uint8Array>;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  stream(req: TransportRequest): Promise<TransportStream>;
  close(): void;
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
