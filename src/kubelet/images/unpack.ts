/**
 * Applies image layers onto a directory, producing a flattened root
 * filesystem. Each layer is read twice: first its whiteouts are applied to
 * what the lower layers left (`.wh.<name>` deletes `<name>`, `.wh..wh..opq`
 * empties its directory), then its other members are extracted. Doing the
 * deletions first is what makes an opaque marker that the archive lists
 * after new files of the same directory come out right.
 *
 * Every path is resolved inside the root, following symlinks the way a
 * chroot would, so a layer cannot write outside it (`../../etc`, absolute
 * symlinks, links to links).
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable, pipeline as streamPipeline } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DigestingStream } from './digest.js';
import type { TarHeader } from './tar-entry.js';
import { readTar } from './tar-reader.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';
const MAX_SYMLINKS = 255;

export class LayerFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LayerFormatError';
  }
}

/**
 * The host path of `rel` inside `root`, resolving symlinks in every
 * component (and in the last one only with followLast) as if root were `/`.
 */
export async function resolveInRoot(root: string, rel: string, { followLast = false }: { followLast?: boolean } = {}): Promise<string> {
  const pending = rel.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let expansions = 0;
  while (pending.length) {
    const c = pending.shift()!;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, c);
    if (pending.length === 0 && !followLast) {
      resolved.push(c);
      break;
    }
    let st;
    try {
      st = await lstat(candidate);
    } catch {
      resolved.push(c);
      continue;
    }
    if (!st.isSymbolicLink()) {
      resolved.push(c);
      continue;
    }
    if (++expansions > MAX_SYMLINKS) throw new LayerFormatError(`too many levels of symbolic links resolving ${rel}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
  }
  return path.join(root, ...resolved);
}

export type LayerCompression = 'gzip' | 'none';

async function detectCompression(file: string): Promise<LayerCompression> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buf.readUInt32LE(0) === 0xfd2fb528) throw new LayerFormatError('zstd-compressed layers are not supported');
    return 'none';
  } finally {
    await fh.close();
  }
}

/** The uncompressed tar stream of a layer blob, hashed as it flows (its digest is the layer's diffID). */
async function openLayer(file: string): Promise<DigestingStream> {
  const compression = await detectCompression(file);
  const hash = new DigestingStream();
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
  const done = (err: Error | null) => {
    if (err && !hash.destroyed) hash.destroy(err instanceof LayerFormatError ? err : new LayerFormatError(`layer ${path.basename(file)}: ${err.message}`, { cause: err }));
  };
  // Destroying hash (on a failure while reading) tears the whole chain down.
  if (compression === 'gzip') streamPipeline(src, createGunzip(), hash, done);
  else streamPipeline(src, hash, done);
  return hash;
}

/** Shares one iterator between the tar reader and the final drain (a paused stream with a reader attached cannot simply be resumed). */
function iterate(stream: DigestingStream): { source: AsyncIterable<Buffer>; drain(): Promise<void> } {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    source: { [Symbol.asyncIterator]: () => it },
    // The archive may end before its stream does (end-of-archive blocks, padding); the diffID covers all of it.
    async drain() {
      let r = await it.next();
      while (!r.done) r = await it.next();
    },
  };
}

async function removeChildren(dir: string): Promise<void> {
  let names: string[];
  try {
    const st = await lstat(dir);
    if (!st.isDirectory()) return;
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim()}`))));
  });
}

export interface ApplyLayerOptions {
  /** Set owners from the archive (default: when running as root). */
  preserveOwnership?: boolean;
}

export interface ApplyLayerResult {
  /** sha256 of the uncompressed archive, to compare with the config's rootfs.diff_ids. */
  diffID: string;
  /** Uncompressed archive size in bytes. */
  size: number;
}

/** Applies one layer blob (gzip or plain tar) onto rootfs. */
export async function applyLayer(blobFile: string, rootfs: string, opts: ApplyLayerOptions = {}): Promise<ApplyLayerResult> {
  const preserveOwnership = opts.preserveOwnership ?? process.getuid?.() === 0;
  // Pass 1: whiteouts against the lower layers.
  const scan = await openLayer(blobFile);
  try {
    const src = iterate(scan);
    for await (const { header } of readTar(src.source)) {
      const base = path.posix.basename(header.path);
      if (!base.startsWith(WHITEOUT_PREFIX)) continue;
      const parent = await resolveInRoot(rootfs, path.posix.dirname(header.path), { followLast: true });
      if (base === OPAQUE) await removeChildren(parent);
      else await rm(path.join(parent, base.slice(WHITEOUT_PREFIX.length)), { recursive: true, force: true });
    }
    await src.drain();
  } finally {
    scan.destroy();
  }
  // Pass 2: contents.
  const stream = await openLayer(blobFile);
  const dirTimes: { p: string; mtime: number }[] = [];
  try {
    const src = iterate(stream);
    for await (const entry of readTar(src.source)) {
      const h = entry.header;
      if (h.path === '' && h.type === 'dir') continue;
      const base = path.posix.basename(h.path);
      if (base.startsWith(WHITEOUT_PREFIX)) continue;
      const parent = await resolveInRoot(rootfs, path.posix.dirname(h.path), { followLast: true });
      const target = path.join(parent, base);
      await mkdir(parent, { recursive: true });
      await extractEntry(h, target, entry.body, rootfs, { preserveOwnership });
      if (h.type === 'dir') dirTimes.push({ p: target, mtime: h.mtime });
    }
    await src.drain();
  } finally {
    stream.destroy();
  }
  for (const d of dirTimes.reverse()) await utimes(d.p, d.mtime, d.mtime).catch(() => {});
  return { diffID: stream.digest(), size: stream.bytes };
}

async function extractEntry(h: TarHeader, target: string, body: AsyncIterable<Buffer>, rootfs: string, { preserveOwnership }: { preserveOwnership: boolean }): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  if (h.type === 'dir') {
    if (existing && !existing.isDirectory()) await rm(target, { recursive: true, force: true });
    if (!existing || !existing.isDirectory()) await mkdir(target, { mode: 0o755 });
  } else if (existing) {
    await rm(target, { recursive: true, force: true });
  }
  switch (h.type) {
    case 'dir':
      break;
    case 'file':
      await pipeline(Readable.from(body), createWriteStream(target, { mode: 0o600 }));
      break;
    case 'symlink':
      await symlink(h.linkname ?? '', target);
      break;
    case 'hardlink': {
      const source = await resolveInRoot(rootfs, h.linkname ?? '');
      try {
        await link(source, target);
      } catch (err) {
        throw new LayerFormatError(`hardlink ${h.path} -> ${h.linkname}: ${(err as Error).message}`, { cause: err });
      }
      return;
    }
    case 'char':
    case 'block':
    case 'fifo':
      // Device nodes need CAP_MKNOD; without it they are left out, as rootless unpackers do.
      if (process.getuid?.() !== 0) return;
      if (h.type === 'fifo') await run('mknod', [target, 'p']);
      else await run('mknod', [target, h.type === 'char' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)]);
      break;
  }
  if (preserveOwnership) await lchown(target, h.uid, h.gid);
  if (h.type !== 'symlink') await chmod(target, h.mode & 0o7777);
  if (h.type === 'symlink') await lutimes(target, h.mtime, h.mtime).catch(() => {});
  else if (h.type !== 'dir') await utimes(target, h.mtime, h.mtime);
}
