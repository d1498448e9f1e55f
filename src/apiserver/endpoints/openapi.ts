/**
 * Serves /openapi/v2 (JSON, or gnostic protobuf when asked — kubectl asks)
 * and /openapi/v3 (index and per group-version documents with ETags).
 * Documents are built by `apiserver/openapi` and cached per scheme version.
 */
import type { Scheme } from '../../api/scheme.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import { type Response, parseAccept, writeRaw } from '../http/respond.js';
import { buildOpenAPIV2 } from '../openapi/v2.js';
import { OPENAPI_V2_PROTOBUF_MEDIA_TYPE, encodeOpenAPIV2Protobuf } from '../openapi/v2-protobuf.js';
import { buildOpenAPIV3Index, openAPIV3Document } from '../openapi/v3.js';

// Clients still ask for the '@' spelling, but '@' is not legal in a media
// type, so Go's mime parser (kubectl) rejects it in a Content-Type: upstream
// answers with the dotted spelling.
const PROTOBUF_RESPONSE_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export class OpenAPIService {
  private v2: { version: number; json: string; proto?: Uint8Array; etag: string } | undefined;

  constructor(
    private readonly scheme: Scheme,
    private readonly info: { title: string; version: string },
  ) {}

  private v2Doc() {
    if (!this.v2 || this.v2.version !== this.scheme.version) {
      const doc = buildOpenAPIV2(this.scheme, this.info);
      const json = JSON.stringify(doc);
      this.v2 = { version: this.scheme.version, json, etag: `"${this.scheme.version}-${json.length}"` };
    }
    return this.v2;
  }

  serve(path: string, url: URL, accept: string | undefined, res: Response, ifNoneMatch: string | undefined): void {
    if (path === '/openapi/v2' || path === '/openapi/v2/') {
      const d = this.v2Doc();
      res.setHeader('ETag', d.etag);
      res.setHeader('Vary', 'Accept');
      if (ifNoneMatch === d.etag) {
        res.statusCode = 304;
        res.end();
        return;
      }
      const wantsProto = parseAccept(accept).some((m) => m.type === OPENAPI_V2_PROTOBUF_MEDIA_TYPE || m.type === PROTOBUF_RESPONSE_TYPE);
      if (wantsProto) {
        d.proto ??= encodeOpenAPIV2Protobuf(buildOpenAPIV2(this.scheme, this.info));
        return writeRaw(res, 200, d.proto, PROTOBUF_RESPONSE_TYPE);
      }
      return writeRaw(res, 200, d.json, 'application/json');
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      return writeRaw(res, 200, JSON.stringify(buildOpenAPIV3Index(this.scheme)), 'application/json');
    }
    if (path.startsWith('/openapi/v3/')) {
      const key = path.slice('/openapi/v3/'.length).replace(/\/$/, '');
      const doc = openAPIV3Document(this.scheme, key);
      if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
      const etag = `"${doc.hash}"`;
      res.setHeader('ETag', etag);
      res.setHeader('Vary', 'Accept');
      // A hashed URL never changes: let clients cache it for good.
      res.setHeader('Cache-Control', url.searchParams.get('hash') === doc.hash ? 'public, immutable' : 'no-cache, no-store, must-revalidate');
      if (ifNoneMatch === etag) {
        res.statusCode = 304;
        res.end();
        return;
      }
      return writeRaw(res, 200, doc.json, 'application/json');
    }
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }
}

