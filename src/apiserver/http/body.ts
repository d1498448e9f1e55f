/**
 * Request bodies: read with a hard size limit (upstream's 3 MiB), decode by
 * content type, and refuse what cannot be decoded with upstream's Status.
 */
import type { Readable } from 'node:stream';
import { StatusError, badRequest, tooLarge } from '../../machinery/errors/status-error.js';

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Readable, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const ct = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json' || ct === '' || ct === '*/*') return 'json';
  if (ct === 'application/yaml' || ct === 'application/x-yaml' || ct === 'text/yaml') return 'yaml';
  if (ct === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  return undefined;
}

export function unsupportedMedia(contentType: string | undefined): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf${contentType ? '' : ''}`,
  );
}

export function jsonParseError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return badRequest(`couldn't get version/kind; json parse error: ${msg}`);
}
