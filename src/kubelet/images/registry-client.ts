/**
 * A client for the distribution API v2 (OCI distribution spec): resolves a
 * reference to a manifest for the host platform across mirror endpoints,
 * verifies every manifest and blob against its digest, authenticates with
 * bearer tokens or basic auth on demand, and (for tests and tooling) pushes
 * blobs and manifests.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthConfig } from '../runtime/interface.js';
import { DigestingStream, isDigest, sha256Digest } from './digest.js';
import { type HTTPDoer, type HTTPResponse, httpRequest } from './http-transport.js';
import { type Descriptor, type ImageIndex, type ImageManifest, MANIFEST_ACCEPT, type Platform, DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED, isIndexType, isManifestType } from './media-types.js';
import { type ImageReference, formatReference } from './reference.js';
import { type RegistriesConfig, type RegistryEndpoint, emptyRegistries, endpointsFor } from './registries-config.js';
import { basicCredentials, basicHeader, fetchToken, parseChallenges } from './registry-auth.js';

/** Why a pull failed, so the agent can tell a missing image from a refused one. */
export type PullFailureReason = 'NotFound' | 'Unauthorized' | 'Unavailable' | 'DigestMismatch' | 'Unsupported' | 'InvalidReference';

export class ImagePullError extends Error {
  constructor(
    readonly reason: PullFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImagePullError';
  }
}

/** The platform of this node, in OCI terms. */
export function hostPlatform(): Platform {
  const archs: Record<string, { architecture: string; variant?: string }> = {
    x64: { architecture: 'amd64' },
    arm64: { architecture: 'arm64', variant: 'v8' },
    arm: { architecture: 'arm', variant: 'v7' },
    ia32: { architecture: '386' },
    ppc64: { architecture: 'ppc64le' },
    s390x: { architecture: 's390x' },
    riscv64: { architecture: 'riscv64' },
  };
  const a = archs[process.arch] ?? { architecture: process.arch };
  return { os: 'linux', ...a };
}

/** Picks the manifest for platform from an index: exact variant first, then one without a variant. */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor | undefined {
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os === platform.os && m.platform.architecture === platform.architecture);
  const normVariant = (v: string | undefined) => (platform.architecture === 'arm64' && v === 'v8' ? undefined : v);
  return candidates.find((m) => normVariant(m.platform!.variant) === normVariant(platform.variant)) ?? candidates.find((m) => !m.platform!.variant);
}

export interface ManifestResult {
  digest: string;
  mediaType: string;
  body: Buffer;
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
}

function registryMessage(body: Buffer): string | undefined {
  try {
    const e = JSON.parse(body.toString()) as RegistryErrorBody;
    if (e.errors?.length) return e.errors.map((x) => `${(x.code ?? '').toLowerCase()}: ${x.message ?? ''}`).join('; ');
  } catch {}
  return undefined;
}

/** Talks to one repository on one endpoint, holding its credentials and tokens. */
export class RepositorySession {
  private authorization: string | undefined;
  constructor(
    private readonly doer: HTTPDoer,
    readonly endpoint: RegistryEndpoint,
    private readonly opts: { auth?: AuthConfig; actions: string[]; userAgent: string },
  ) {
    if (opts.auth?.registryToken) this.authorization = `Bearer ${opts.auth.registryToken}`;
  }

  get repository(): string {
    return this.endpoint.repository;
  }

  /** One API call under `<baseURL>/<repository>/`, answering a 401 challenge once. */
  async request(method: string, subpath: string, { headers = {}, body }: { headers?: Record<string, string>; body?: Buffer | Readable } = {}): Promise<HTTPResponse> {
    const url = subpath.startsWith('http') ? subpath : `${this.endpoint.baseURL}/${this.repository}/${subpath}`;
    const send = () =>
      this.doer({
        method,
        url,
        headers: { 'User-Agent': this.opts.userAgent, ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        body,
        tls: this.endpoint.tls,
      });
    let res = await send();
    if (res.status !== 401 || (body !== undefined && !Buffer.isBuffer(body))) return res;
    const challenges = parseChallenges(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = basicCredentials(this.opts.auth);
    if (bearer) {
      const token = await fetchToken(this.doer, bearer, { scopes: [`repository:${this.repository}:${this.opts.actions.join(',')}`], auth: this.opts.auth, tls: this.endpoint.tls });
      if (!token.ok) {
        res.drain();
        throw new ImagePullError(token.status === 401 || token.status === 403 ? 'Unauthorized' : 'Unavailable', token.message);
      }
      this.authorization = `Bearer ${token.token}`;
    } else if (basic && creds) {
      this.authorization = basicHeader(creds);
    } else return res;
    res.drain();
    res = await send();
    return res;
  }

  private async failure(res: HTTPResponse, what: string): Promise<never> {
    const msg = registryMessage(await res.buffer());
    const status = `${res.status} ${statusText(res.status)}`;
    if (res.status === 401 || res.status === 403)
      throw new ImagePullError('Unauthorized', `pull access denied, repository does not exist or may require authorization: ${msg ? `server message: ${msg}` : status}`);
    throw new ImagePullError('Unavailable', `unexpected status from ${what} request to ${res.url}: ${status}${msg ? ` (${msg})` : ''}`);
  }

  /** A manifest by tag or digest, verified against the requested digest (or the Docker-Content-Digest header); undefined when absent. */
  async getManifest(reference: string): Promise<ManifestResult | undefined> {
    const res = await this.request('GET', `manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
    if (res.status === 404) {
      res.drain();
      return undefined;
    }
    if (res.status !== 200) return this.failure(res, 'GET');
    const body = await res.buffer();
    const digest = sha256Digest(body);
    const expected = isDigest(reference) ? reference : (res.headers['docker-content-digest'] as string | undefined);
    if (expected && expected !== digest) throw new ImagePullError('DigestMismatch', `manifest ${reference}: digest mismatch: expected ${expected}, got ${digest}`);
    let mediaType = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
    try {
      const parsed = JSON.parse(body.toString()) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!isIndexType(mediaType) && !isManifestType(mediaType)) mediaType = parsed.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
      if (parsed.schemaVersion === 1) mediaType = DOCKER_MANIFEST_SCHEMA1;
    } catch (err) {
      throw new ImagePullError('Unsupported', `manifest ${reference}: invalid JSON`, { cause: err });
    }
    return { digest, mediaType, body };
  }

  async blobExists(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `blobs/${digest}`);
    res.drain();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.failure(res, 'HEAD');
  }

  /** Streams a blob into file, verifying size and digest; the file appears only when both match. */
  async fetchBlobToFile(desc: Descriptor, file: string): Promise<void> {
    const res = await this.request('GET', `blobs/${desc.digest}`);
    if (res.status === 404) {
      res.drain();
      throw new ImagePullError('NotFound', `blob ${desc.digest} not found`);
    }
    if (res.status !== 200) return this.failure(res, 'GET');
    const tmp = `${file}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const hash = new DigestingStream();
    try {
      await pipeline(res.body, hash, createWriteStream(tmp));
      if (hash.digest() !== desc.digest) throw new ImagePullError('DigestMismatch', `blob ${desc.digest}: digest mismatch, got ${hash.digest()}`);
      if (desc.size >= 0 && hash.bytes !== desc.size) throw new ImagePullError('DigestMismatch', `blob ${desc.digest}: size mismatch: expected ${desc.size}, got ${hash.bytes}`);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Monolithic upload (POST then PUT with the digest); skipped when the registry has the blob. */
  async pushBlob(digest: string, data: Buffer): Promise<void> {
    if (await this.blobExists(digest)) return;
    const start = await this.request('POST', 'blobs/uploads/', { headers: { 'Content-Length': '0' }, body: Buffer.alloc(0) });
    start.drain();
    if (start.status !== 202 || !start.headers.location) return this.failure(start, 'POST');
    const loc = new URL(start.headers.location, `${this.endpoint.baseURL}/`);
    loc.searchParams.set('digest', digest);
    const put = await this.request('PUT', loc.toString(), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) }, body: data });
    if (put.status !== 201) return this.failure(put, 'PUT');
    put.drain();
  }

  async pushManifest(reference: string, mediaType: string, body: Buffer): Promise<string> {
    const res = await this.request('PUT', `manifests/${reference}`, { headers: { 'Content-Type': mediaType, 'Content-Length': String(body.length) }, body });
    if (res.status !== 201) return this.failure(res, 'PUT');
    res.drain();
    return sha256Digest(body);
  }
}

function statusText(code: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' } as Record<number, string>)[code] ?? '';
}

/** What a reference resolved to on one endpoint. */
export interface ResolvedImage {
  ref: ImageReference;
  session: RepositorySession;
  /** The digest the reference points at (an index's digest for multi-platform images): the repo digest. */
  topDigest: string;
  manifestDigest: string;
  manifest: ImageManifest;
  /** The manifest exactly as served (its digest is manifestDigest). */
  manifestBytes: Buffer;
}

export interface RegistryClientOptions {
  registries?: RegistriesConfig;
  /** Registry hosts spoken to over plain HTTP (loopback ones always are). */
  insecureRegistries?: string[];
  platform?: Platform;
  http?: HTTPDoer;
  userAgent?: string;
}

export class RegistryClient {
  private readonly registries: RegistriesConfig;
  private readonly platform: Platform;
  private readonly doer: HTTPDoer;
  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.registries = opts.registries ?? emptyRegistries();
    this.platform = opts.platform ?? hostPlatform();
    this.doer = opts.http ?? httpRequest;
  }

  endpoints(ref: ImageReference): RegistryEndpoint[] {
    return endpointsFor(this.registries, ref, { insecureRegistries: this.opts.insecureRegistries });
  }

  /** A session for one endpoint; `push` asks tokens for push rights too. */
  session(endpoint: RegistryEndpoint, { auth, push = false }: { auth?: AuthConfig; push?: boolean } = {}): RepositorySession {
    return new RepositorySession(this.doer, endpoint, { auth: auth ?? endpoint.auth, actions: push ? ['pull', 'push'] : ['pull'], userAgent: this.opts.userAgent ?? 'k8ts' });
  }

  /**
   * Finds the manifest for this node's platform, trying mirrors before the
   * registry. A mirror that fails or lacks the image is skipped; the last
   * endpoint's failure is the one reported.
   */
  async resolve(ref: ImageReference, { auth }: { auth?: AuthConfig } = {}): Promise<ResolvedImage> {
    const name = formatReference(ref);
    const endpoints = this.endpoints(ref);
    let lastError: unknown;
    for (const [i, ep] of endpoints.entries()) {
      const isLast = i === endpoints.length - 1;
      try {
        const r = await this.resolveAt(ref, this.session(ep, { auth: ep.isMirror ? (ep.auth ?? auth) : (auth ?? ep.auth) }));
        if (r) return r;
        lastError = new ImagePullError('NotFound', `failed to resolve reference "${name}": ${name}: not found`);
      } catch (err) {
        if (err instanceof ImagePullError && (err.reason === 'DigestMismatch' || err.reason === 'Unsupported')) throw err;
        lastError = err instanceof ImagePullError ? new ImagePullError(err.reason, `failed to resolve reference "${name}": ${err.message}`, { cause: err }) : new ImagePullError('Unavailable', `failed to resolve reference "${name}": failed to do request: ${(err as Error).message}`, { cause: err });
        if (isLast) break;
      }
    }
    throw lastError;
  }

  private async resolveAt(ref: ImageReference, session: RepositorySession): Promise<ResolvedImage | undefined> {
    const top = await session.getManifest(ref.digest ?? ref.tag ?? 'latest');
    if (!top) return undefined;
    let current = top;
    if (isIndexType(top.mediaType)) {
      const index = JSON.parse(top.body.toString()) as ImageIndex;
      const desc = selectPlatform(index, this.platform);
      if (!desc) throw new ImagePullError('NotFound', `no match for platform in manifest ${top.digest}: not found`);
      const m = await session.getManifest(desc.digest);
      if (!m) throw new ImagePullError('NotFound', `manifest ${desc.digest} for ${this.platform.os}/${this.platform.architecture}: not found`);
      current = m;
    }
    if (current.mediaType === DOCKER_MANIFEST_SCHEMA1 || current.mediaType === DOCKER_MANIFEST_SCHEMA1_SIGNED)
      throw new ImagePullError('Unsupported', `schema 1 manifest ${current.digest} is not supported; push the image again with a current client`);
    if (!isManifestType(current.mediaType)) throw new ImagePullError('Unsupported', `unsupported manifest media type ${current.mediaType}`);
    const manifest = JSON.parse(current.body.toString()) as ImageManifest;
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new ImagePullError('Unsupported', `manifest ${current.digest} has no config or layers`);
    return { ref, session, topDigest: top.digest, manifestDigest: current.digest, manifest, manifestBytes: current.body };
  }
}
