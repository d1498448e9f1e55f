/**
 * `k8ts image import`: loads images without a registry from an OCI image
 * layout (a directory, or a tar of one) or a `docker save` tarball
 * (manifest.json with Config, RepoTags and Layers). Every blob is checked
 * against its digest before it enters the store.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { DigestingStream, isDigest, sha256Digest } from './digest.js';
import type { LocalImageService } from './image-service.js';
import { runtimeConfig } from './image-service.js';
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_MANIFEST, type Descriptor, type ImageConfigFile, type ImageIndex, type ImageManifest, type Platform, isIndexType, isManifestType, isSupportedLayerType } from './media-types.js';
import { formatReference, parseReference, repositoryName } from './reference.js';
import { hostPlatform, selectPlatform } from './registry-client.js';
import type { StoredLayer } from './store.js';
import { applyLayer, resolveInRoot } from './unpack.js';

export interface ImportOptions {
  /** Repository for OCI layouts whose ref.name annotation is only a tag (`ctr import --base-name`). */
  baseName?: string;
  platform?: Platform;
}

export interface ImportedImage {
  id: string;
  repoTags: string[];
}

async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const h = new DigestingStream();
  await pipeline(createReadStream(file), h, new Writable({ write: (_c, _e, cb) => cb() }));
  return { digest: h.digest(), size: h.bytes };
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

const exists = (p: string) => stat(p).then(
  () => true,
  () => false,
);

/** Imports every image in file (a directory or a tar, optionally gzip-compressed). */
export async function importImageArchive(service: LocalImageService, file: string, opts: ImportOptions = {}): Promise<ImportedImage[]> {
  await service.listImages();
  const st = await stat(file);
  let dir = file;
  let tmp: string | undefined;
  try {
    if (!st.isDirectory()) {
      tmp = service.store.tempPath('import');
      await mkdir(tmp);
      await applyLayer(file, tmp, { preserveOwnership: false });
      dir = tmp;
    }
    if ((await exists(path.join(dir, 'index.json'))) && (await exists(path.join(dir, 'oci-layout')))) return await importOCILayout(service, dir, opts);
    if (await exists(path.join(dir, 'manifest.json'))) return await importDockerSave(service, dir);
    throw new Error(`${file}: neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)`);
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies a blob of the layout into the store after checking its digest. */
async function adoptVerified(service: LocalImageService, dir: string, digest: string): Promise<number> {
  if (!isDigest(digest)) throw new Error(`unsupported digest ${digest}`);
  const p = await resolveInRoot(dir, `blobs/sha256/${digest.slice(7)}`, { followLast: true });
  const got = await fileDigest(p);
  if (got.digest !== digest) throw new Error(`blob ${digest}: digest mismatch, content has ${got.digest}`);
  await service.store.adoptBlobFile(p, digest);
  return got.size;
}

function nameFor(annotations: Record<string, string> | undefined, baseName: string | undefined): ReturnType<typeof parseReference> | undefined {
  const full = annotations?.['io.containerd.image.name'];
  if (full) return parseReference(full);
  const refName = annotations?.['org.opencontainers.image.ref.name'];
  if (!refName) return baseName ? parseReference(baseName) : undefined;
  if (/^[\w][\w.-]{0,127}$/.test(refName)) return baseName ? parseReference(`${baseName}:${refName}`) : undefined;
  return parseReference(refName);
}

async function importOCILayout(service: LocalImageService, dir: string, opts: ImportOptions): Promise<ImportedImage[]> {
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as ImageIndex;
  const platform = opts.platform ?? hostPlatform();
  const out: ImportedImage[] = [];
  for (const top of index.manifests ?? []) {
    let desc: Descriptor = top;
    if (isIndexType(desc.mediaType)) {
      await adoptVerified(service, dir, desc.digest);
      const nested = JSON.parse((await service.store.readBlob(desc.digest)).toString()) as ImageIndex;
      const chosen = selectPlatform(nested, platform);
      if (!chosen) throw new Error(`no match for platform in manifest ${desc.digest}: not found`);
      desc = chosen;
    } else if (desc.platform && (desc.platform.os !== platform.os || desc.platform.architecture !== platform.architecture)) continue;
    if (!isManifestType(desc.mediaType)) throw new Error(`unsupported manifest media type ${desc.mediaType}`);
    await adoptVerified(service, dir, desc.digest);
    const manifestBytes = await service.store.readBlob(desc.digest);
    const manifest = JSON.parse(manifestBytes.toString()) as ImageManifest;
    let size = manifestBytes.length;
    for (const d of [manifest.config, ...manifest.layers]) {
      if (d !== manifest.config && !isSupportedLayerType(d.mediaType)) throw new Error(`unsupported layer media type ${d.mediaType}`);
      size += await adoptVerified(service, dir, d.digest);
    }
    const config = JSON.parse((await service.store.readBlob(manifest.config.digest)).toString()) as ImageConfigFile;
    const layers = toLayers(manifest.layers, config);
    const name = nameFor(top.annotations, opts.baseName);
    if (name && !name.ok) throw new Error(`image name in ${path.join(dir, 'index.json')}: ${name.message}`);
    const ref = name?.ok ? name.ref : undefined;
    const id = manifest.config.digest;
    await service.unpackOnce(id, layers);
    const tags = ref && !ref.digest ? [formatReference(ref)] : [];
    await service.record({
      id,
      manifestDigest: desc.digest,
      layers,
      config: runtimeConfig(config),
      size,
      unpackedSize: 0,
      tags,
      digests: ref ? [`${repositoryName(ref)}@${top.digest}`] : [],
    });
    out.push({ id, repoTags: tags });
  }
  return out;
}

function toLayers(descs: readonly Descriptor[], config: ImageConfigFile): StoredLayer[] {
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (diffIDs.length !== descs.length) throw new Error(`image config has ${diffIDs.length} diff_ids for ${descs.length} layers`);
  return descs.map((l, i) => ({ digest: l.digest, diffID: diffIDs[i]!, size: l.size, mediaType: l.mediaType }));
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function importDockerSave(service: LocalImageService, dir: string): Promise<ImportedImage[]> {
  const entries = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as DockerSaveEntry[];
  if (!Array.isArray(entries)) throw new Error('manifest.json: expected a list of images');
  const out: ImportedImage[] = [];
  for (const e of entries) {
    const configBytes = await readFile(await resolveInRoot(dir, e.Config, { followLast: true }));
    const id = await service.store.writeBlob(configBytes);
    const config = JSON.parse(configBytes.toString()) as ImageConfigFile;
    const descs: Descriptor[] = [];
    let unpackedSize = 0;
    for (const rel of e.Layers) {
      const p = await resolveInRoot(dir, rel, { followLast: true });
      const { digest, size } = await fileDigest(p);
      await service.store.adoptBlobFile(p, digest);
      const gz = await isGzip(p);
      if (!gz) unpackedSize += size;
      descs.push({ mediaType: gz ? DOCKER_LAYER_GZIP : DOCKER_LAYER, digest, size });
    }
    const layers = toLayers(descs, config);
    // docker save carries no manifest; one is written so the store holds the same kinds of blobs for every image.
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, digest: id, size: configBytes.length }, layers: descs }));
    const manifestDigest = await service.store.writeBlob(manifestBytes, sha256Digest(manifestBytes));
    const tags: string[] = [];
    for (const t of e.RepoTags ?? []) {
      const r = parseReference(t);
      if (!r.ok) throw new Error(`manifest.json: RepoTags "${t}": ${r.message}`);
      tags.push(formatReference(r.ref));
    }
    await service.unpackOnce(id, layers);
    await service.record({
      id,
      manifestDigest,
      layers,
      config: runtimeConfig(config),
      size: manifestBytes.length + configBytes.length + descs.reduce((n, d) => n + d.size, 0),
      unpackedSize,
      tags,
      digests: [],
    });
    out.push({ id, repoTags: tags });
  }
  return out;
}
