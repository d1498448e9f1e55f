/**
 * The built-in image service: pulls from registries into the content store,
 * answers CRI image calls, hands the oci runtime an image's root filesystem,
 * and garbage-collects unused images. Concurrent pulls of the same reference
 * share one pull; concurrent unpacks of the same image share one unpack.
 */
import { open, statfs } from 'node:fs/promises';
import type { Clock } from '../../machinery/clock.js';
import type { AuthConfig, Image, ImageService, ImageSpec } from '../runtime/interface.js';
import { isDigest } from './digest.js';
import { type FsUsage, type ImageGCPolicy, planImageGC, validateGCPolicy } from './gc.js';
import type { HTTPDoer } from './http-transport.js';
import { type ImageConfigFile, type Platform, isSupportedLayerType } from './media-types.js';
import { type ImageReference, formatReference, parseReference, repositoryName } from './reference.js';
import type { RegistriesConfig } from './registries-config.js';
import { ImagePullError, RegistryClient, type ResolvedImage } from './registry-client.js';
import { ContentStore, type StoredImage, type StoredLayer } from './store.js';

export interface LocalImageServiceOptions {
  /** The store's directory (`<data-dir>/agent/images`). */
  root: string;
  registries?: RegistriesConfig;
  /** Registry hosts reached over plain HTTP besides loopback ones. */
  insecureRegistries?: string[];
  clock?: Pick<Clock, 'now'>;
  platform?: Platform;
  http?: HTTPDoer;
  /** Usage of the filesystem holding root (default: statfs). */
  fsUsage?: (root: string) => Promise<FsUsage>;
  /** Layers downloaded at once per pull. */
  maxParallelDownloads?: number;
}

/** The root filesystem of an image, as the oci runtime stacks it. */
export interface ImageLayers {
  /** Top-most first, for overlay `lowerdir=`; one flattened directory with this store. */
  lowerDirs: string[];
  config: NonNullable<Image['config']>;
}

export interface GarbageCollectOptions extends ImageGCPolicy {
  /** Image ids that running or created containers use; never removed. */
  inUse: ReadonlySet<string>;
}

export interface GarbageCollectResult {
  usagePercent: number;
  bytesToFree: number;
  removed: string[];
  freedBytes: number;
}

export class ImageNotFoundError extends Error {
  constructor(readonly image: string) {
    super(`image "${image}" not found`);
    this.name = 'ImageNotFoundError';
  }
}

async function statfsUsage(root: string): Promise<FsUsage> {
  const s = await statfs(root);
  return { capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
}

/** The image a spec names: an id (full, with or without `sha256:`), a reference by tag or digest, or a unique id prefix. */
export function findImage(images: Record<string, StoredImage>, spec: string): StoredImage | undefined {
  const s = spec.trim();
  const full = /^(?:sha256:)?([a-f0-9]{64})$/.exec(s);
  if (full) return images[`sha256:${full[1]}`];
  const parsed = parseReference(s);
  if (parsed.ok) {
    const ref = parsed.ref;
    const repo = repositoryName(ref);
    const all = Object.values(images);
    if (ref.digest) {
      const byDigest = all.find((i) => i.repoDigests.includes(`${repo}@${ref.digest}`) || (i.manifestDigest === ref.digest && [...i.repoTags, ...i.repoDigests].some((r) => r.startsWith(`${repo}:`) || r.startsWith(`${repo}@`))));
      if (byDigest) return byDigest;
    } else {
      const tagged = all.find((i) => i.repoTags.includes(formatReference(ref)));
      if (tagged) return tagged;
    }
  }
  const prefix = /^(?:sha256:)?([a-f0-9]{4,63})$/.exec(s);
  if (prefix) {
    const matches = Object.keys(images).filter((id) => id.startsWith(`sha256:${prefix[1]}`));
    if (matches.length === 1) return images[matches[0]!];
  }
  return undefined;
}

export function toImage(i: StoredImage): Image {
  return { id: i.id, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests], size: i.size, config: { ...i.config } };
}

/** The runtime-relevant part of an image config file. */
export function runtimeConfig(cfg: ImageConfigFile): NonNullable<Image['config']> {
  const c = cfg.config ?? {};
  const out: NonNullable<Image['config']> = {};
  if (c.Entrypoint?.length) out.entrypoint = [...c.Entrypoint];
  if (c.Cmd?.length) out.cmd = [...c.Cmd];
  if (c.Env?.length) out.env = [...c.Env];
  if (c.WorkingDir) out.workingDir = c.WorkingDir;
  if (c.User) out.user = c.User;
  if (c.StopSignal) out.stopSignal = c.StopSignal;
  return out;
}

/** A stable key for deduplicating pulls made with the same credentials. */
function authKey(auth: AuthConfig | undefined): string {
  if (!auth) return '';
  return JSON.stringify([auth.username, auth.password, auth.auth, auth.identityToken, auth.registryToken]);
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export class LocalImageService implements ImageService {
  readonly store: ContentStore;
  private readonly client: RegistryClient;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly fsUsage: (root: string) => Promise<FsUsage>;
  private readonly pulls = new Map<string, Promise<string>>();
  private readonly unpacks = new Map<string, Promise<void>>();
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: LocalImageServiceOptions) {
    this.store = new ContentStore(opts.root);
    this.client = new RegistryClient({ registries: opts.registries, insecureRegistries: opts.insecureRegistries, platform: opts.platform, http: opts.http });
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.fsUsage = opts.fsUsage ?? statfsUsage;
  }

  private init(): Promise<void> {
    this.ready ??= this.store.init();
    return this.ready;
  }

  async listImages(): Promise<Image[]> {
    await this.init();
    return Object.values(await this.store.readIndex())
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(toImage);
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    await this.init();
    const found = findImage(await this.store.readIndex(), image.image);
    return found ? toImage(found) : undefined;
  }

  /** Pulls (or finds already pulled) the image; returns its id. Failures are ImagePullError with the registry's message. */
  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    await this.init();
    const parsed = parseReference(image.image);
    if (!parsed.ok) throw new ImagePullError('InvalidReference', `failed to pull and unpack image "${image.image}": ${parsed.message}`);
    const key = `${formatReference(parsed.ref)}\0${authKey(auth)}`;
    let p = this.pulls.get(key);
    if (!p) {
      p = this.pull(parsed.ref, auth).finally(() => this.pulls.delete(key));
      this.pulls.set(key, p);
    }
    return p;
  }

  private async pull(ref: ImageReference, auth: AuthConfig | undefined): Promise<string> {
    const name = formatReference(ref);
    try {
      const resolved = await this.client.resolve(ref, { auth });
      return await this.fetchAndUnpack(resolved);
    } catch (err) {
      if (err instanceof ImagePullError) throw new ImagePullError(err.reason, `failed to pull and unpack image "${name}": ${err.message}`, { cause: err });
      throw new ImagePullError('Unavailable', `failed to pull and unpack image "${name}": ${(err as Error).message}`, { cause: err });
    }
  }

  private async fetchAndUnpack(r: ResolvedImage): Promise<string> {
    const { manifest, session } = r;
    for (const l of manifest.layers) {
      if (!isSupportedLayerType(l.mediaType)) throw new ImagePullError('Unsupported', `unsupported layer media type ${l.mediaType}`);
      if (!isDigest(l.digest)) throw new ImagePullError('Unsupported', `unsupported digest ${l.digest}`);
    }
    if (!isDigest(manifest.config.digest)) throw new ImagePullError('Unsupported', `unsupported digest ${manifest.config.digest}`);
    const blobs = [manifest.config, ...manifest.layers];
    await mapLimit(blobs, this.opts.maxParallelDownloads ?? 3, async (d) => {
      if (!(await this.store.hasBlob(d.digest))) await session.fetchBlobToFile(d, this.store.blobPath(d.digest));
    });
    await this.store.writeBlob(r.manifestBytes, r.manifestDigest);
    const config = JSON.parse((await this.store.readBlob(manifest.config.digest)).toString()) as ImageConfigFile;
    const diffIDs = config.rootfs?.diff_ids ?? [];
    if (diffIDs.length !== manifest.layers.length) throw new ImagePullError('Unsupported', `image config has ${diffIDs.length} diff_ids for ${manifest.layers.length} layers`);
    const layers: StoredLayer[] = manifest.layers.map((l, i) => ({ digest: l.digest, diffID: diffIDs[i]!, size: l.size, mediaType: l.mediaType }));
    const id = manifest.config.digest;
    await this.unpackOnce(id, layers);
    const repo = repositoryName(r.ref);
    await this.record({
      id,
      manifestDigest: r.manifestDigest,
      layers,
      config: runtimeConfig(config),
      size: r.manifestBytes.length + manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0),
      unpackedSize: await this.unpackedSize(layers),
      tags: r.ref.tag && !r.ref.digest ? [formatReference({ ...r.ref, digest: undefined })] : [],
      digests: [`${repo}@${r.topDigest}`],
    });
    return id;
  }

  private async unpackedSize(layers: readonly StoredLayer[]): Promise<number> {
    // The gzip trailer holds the uncompressed size modulo 2^32, enough for an estimate.
    let total = 0;
    for (const l of layers) {
      const fh = await open(this.store.blobPath(l.digest), 'r');
      try {
        const st = await fh.stat();
        const head = Buffer.alloc(2);
        await fh.read(head, 0, 2, 0);
        if (head[0] === 0x1f && head[1] === 0x8b && st.size >= 4) {
          const tail = Buffer.alloc(4);
          await fh.read(tail, 0, 4, st.size - 4);
          total += tail.readUInt32LE(0);
        } else total += st.size;
      } finally {
        await fh.close();
      }
    }
    return total;
  }

  /** Unpacks an image's layers into its rootfs once, however many callers ask at the same time. */
  async unpackOnce(id: string, layers: readonly StoredLayer[]): Promise<void> {
    let p = this.unpacks.get(id);
    if (!p) {
      p = this.store.unpack(id, layers).finally(() => this.unpacks.delete(id));
      this.unpacks.set(id, p);
    }
    return p;
  }

  /** Adds or updates an image in the index, moving its tags away from any image that had them. */
  async record(i: { id: string; manifestDigest: string; layers: StoredLayer[]; config: NonNullable<Image['config']>; size: number; unpackedSize: number; tags: string[]; digests: string[] }): Promise<void> {
    const now = this.clock.now();
    await this.store.updateIndex((images) => {
      for (const other of Object.values(images)) {
        if (other.id === i.id) continue;
        other.repoTags = other.repoTags.filter((t) => !i.tags.includes(t));
      }
      const prev = images[i.id];
      images[i.id] = {
        id: i.id,
        repoTags: [...new Set([...(prev?.repoTags ?? []), ...i.tags])].sort(),
        repoDigests: [...new Set([...(prev?.repoDigests ?? []), ...i.digests])].sort(),
        manifestDigest: i.manifestDigest,
        layers: i.layers,
        config: i.config,
        size: i.size,
        unpackedSize: i.unpackedSize,
        lastUsed: now,
      };
    });
  }

  /** Removes the image (every tag of it). Removing an absent image is not an error, as in CRI. */
  async removeImage(image: ImageSpec): Promise<void> {
    await this.init();
    const found = findImage(await this.store.readIndex(), image.image);
    if (found) await this.store.remove([found.id]);
  }

  async imageFsInfo(): Promise<{ usedBytes: number; inodesUsed?: number; mountpoint: string }> {
    await this.init();
    const images = Object.values(await this.store.readIndex());
    return { usedBytes: images.reduce((n, i) => n + i.size + i.unpackedSize, 0), mountpoint: this.store.root };
  }

  /**
   * The image's root filesystem for a container, and its config; marks the
   * image used now (for GC). Rejects with ImageNotFoundError when absent.
   */
  async layersFor(imageRef: string): Promise<ImageLayers> {
    await this.init();
    const now = this.clock.now();
    const found = await this.store.updateIndex((images) => {
      const i = findImage(images, imageRef);
      if (i) i.lastUsed = now;
      return i;
    });
    if (!found) throw new ImageNotFoundError(imageRef);
    if (!(await this.store.hasRootfs(found.id))) await this.unpackOnce(found.id, found.layers);
    return { lowerDirs: [this.store.rootfsPath(found.id)], config: { ...found.config } };
  }

  /** Frees space when the image filesystem is above the high threshold, removing unused images least recently used first. */
  async garbageCollect(opts: GarbageCollectOptions): Promise<GarbageCollectResult> {
    await this.init();
    const invalid = validateGCPolicy(opts);
    if (invalid) throw new Error(invalid);
    const usage = await this.fsUsage(this.store.root);
    const images = Object.values(await this.store.readIndex());
    const plan = planImageGC(
      images.map((i) => ({ id: i.id, bytes: i.size + i.unpackedSize, lastUsed: i.lastUsed })),
      usage,
      opts,
      opts.inUse,
    );
    const freedBytes = plan.remove.length ? await this.store.remove(plan.remove) : 0;
    return { usagePercent: plan.usagePercent, bytesToFree: plan.bytesToFree, removed: plan.remove, freedBytes };
  }
}
