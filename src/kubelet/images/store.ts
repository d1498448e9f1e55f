/**
 * The node's image store, under one root directory:
 *
 *   blobs/sha256/<hex>   content-addressed blobs (manifests, configs, layers as pulled)
 *   rootfs/<id-hex>/     each image's layers applied in order, whiteouts resolved
 *   images.json          the index: image id → tags, digests, layers, config, last use
 *
 * Layers are flattened into one read-only root filesystem per image rather
 * than kept as overlay-ready layer directories: overlay whiteouts need
 * mknod and trusted.* xattrs (opaque directories), which Node cannot set
 * and which do not survive on every filesystem, and a single lower
 * directory keeps overlay mount options short however many layers an
 * image has. The cost is disk: images sharing base layers do not share
 * their unpacked files. Containers stack an overlay upper dir on top.
 *
 * Index writes are atomic (write, then rename) and serialised in-process;
 * every read goes to the file, so a CLI and the agent see each other's
 * changes.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Image } from '../runtime/interface.js';
import { digestHex, isDigest, sha256Digest } from './digest.js';
import { applyLayer } from './unpack.js';

export interface StoredLayer {
  digest: string;
  diffID: string;
  size: number;
  mediaType: string;
}

export interface StoredImage {
  /** `sha256:<config digest>`. */
  id: string;
  /** Normalised `domain/path:tag`. */
  repoTags: string[];
  /** Normalised `domain/path@digest` (the digest the registry served for the tag). */
  repoDigests: string[];
  manifestDigest: string;
  layers: StoredLayer[];
  config: NonNullable<Image['config']>;
  /** Bytes of the blobs as pulled (manifest, config, compressed layers), as containerd reports image size. */
  size: number;
  /** Bytes of the uncompressed layer archives (what the rootfs roughly takes). */
  unpackedSize: number;
  /** Milliseconds since the epoch of the last pull, status check or container start. */
  lastUsed: number;
}

interface IndexFile {
  version: 1;
  images: Record<string, StoredImage>;
}

export class ContentStore {
  private writeChain: Promise<unknown> = Promise.resolve();
  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(path.join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(path.join(this.root, 'rootfs'), { recursive: true });
    await mkdir(path.join(this.root, 'tmp'), { recursive: true });
  }

  blobPath(digest: string): string {
    return path.join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  rootfsPath(id: string): string {
    return path.join(this.root, 'rootfs', digestHex(id));
  }

  /** A fresh path under the store's tmp dir (same filesystem, so renames are atomic). */
  tempPath(prefix: string): string {
    return path.join(this.root, 'tmp', `${prefix}-${randomBytes(6).toString('hex')}`);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return stat(this.blobPath(digest)).then(
      () => true,
      () => false,
    );
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  /** Stores bytes under their digest, refusing them when expected says otherwise. */
  async writeBlob(data: Buffer, expected?: string): Promise<string> {
    const digest = sha256Digest(data);
    if (expected && expected !== digest) throw new Error(`blob digest mismatch: expected ${expected}, got ${digest}`);
    if (await this.hasBlob(digest)) return digest;
    const tmp = this.tempPath('blob');
    await writeFile(tmp, data);
    await rename(tmp, this.blobPath(digest));
    return digest;
  }

  /** Copies a file into the store under digest (already verified by the caller). */
  async adoptBlobFile(file: string, digest: string): Promise<void> {
    if (await this.hasBlob(digest)) return;
    const tmp = this.tempPath('blob');
    await copyFile(file, tmp);
    await rename(tmp, this.blobPath(digest));
  }

  async readIndex(): Promise<Record<string, StoredImage>> {
    try {
      const f = JSON.parse(await readFile(path.join(this.root, 'images.json'), 'utf8')) as IndexFile;
      return f.images ?? {};
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  /** Read-modify-write of the index, serialised with every other update of this store. */
  async updateIndex<T>(fn: (images: Record<string, StoredImage>) => T | Promise<T>): Promise<T> {
    const run = async () => {
      const images = await this.readIndex();
      const result = await fn(images);
      const tmp = this.tempPath('index');
      await writeFile(tmp, JSON.stringify({ version: 1, images } satisfies IndexFile));
      await rename(tmp, path.join(this.root, 'images.json'));
      return result;
    };
    const p = this.writeChain.then(run, run);
    this.writeChain = p.catch(() => {});
    return p;
  }

  async hasRootfs(id: string): Promise<boolean> {
    return stat(this.rootfsPath(id)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  /**
   * Builds the image's rootfs from its layer blobs (bottom first), checking
   * each layer's uncompressed digest against the config's diff_ids. The
   * directory appears only once complete.
   */
  async unpack(id: string, layers: readonly StoredLayer[]): Promise<void> {
    if (await this.hasRootfs(id)) return;
    const tmp = this.tempPath('unpack');
    await mkdir(tmp, { mode: 0o755 });
    try {
      for (const l of layers) {
        const r = await applyLayer(this.blobPath(l.digest), tmp);
        if (r.diffID !== l.diffID) throw new Error(`layer ${l.digest}: uncompressed digest ${r.diffID} does not match diff_id ${l.diffID}`);
      }
      try {
        await rename(tmp, this.rootfsPath(id));
      } catch (err) {
        // Another unpack of the same image won the race.
        if (!(await this.hasRootfs(id))) throw err;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Removes images from the index, their rootfs, and every blob no remaining image references. Returns the bytes freed (approximate). */
  async remove(ids: readonly string[]): Promise<number> {
    let freed = 0;
    const gone: StoredImage[] = [];
    const keep = await this.updateIndex((images) => {
      for (const id of ids) {
        const img = images[id];
        if (!img) continue;
        gone.push(img);
        delete images[id];
      }
      const referenced = new Set<string>();
      for (const img of Object.values(images)) for (const d of blobsOf(img)) referenced.add(d);
      return referenced;
    });
    for (const img of gone) {
      await rm(this.rootfsPath(img.id), { recursive: true, force: true });
      freed += img.unpackedSize;
      for (const d of blobsOf(img)) {
        if (keep.has(d)) continue;
        const p = this.blobPath(d);
        const s = await stat(p).catch(() => undefined);
        if (s) freed += s.size;
        await rm(p, { force: true });
      }
    }
    return freed;
  }
}

function blobsOf(img: StoredImage): string[] {
  return [img.manifestDigest, img.id, ...img.layers.map((l) => l.digest)].filter(isDigest);
}
