/**
 * A streaming tar reader: ustar, pax extended and global headers (path,
 * linkpath, size, uid, gid, mtime, xattrs), GNU long names and link names,
 * base-256 numbers. Entries are yielded one at a time; a body the caller
 * does not read is skipped, so archives of any size pass through in bounded
 * memory.
 */
import { type TarEntryType, type TarHeader, cleanArchivePath } from './tar-entry.js';

const BLOCK = 512;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(`archive/tar: ${message}`);
    this.name = 'TarFormatError';
  }
}

/** Pulls exact byte counts out of a chunked source. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer | Uint8Array | string>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.done) {
      const r = await this.source.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      if (b.length) {
        this.chunks.push(b);
        this.buffered += b.length;
      }
    }
    return this.buffered >= n;
  }

  /** Exactly n bytes, or undefined at a clean end of input. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.buffered === 0) return undefined;
      throw new TarFormatError('unexpected EOF');
    }
    return this.take(n);
  }

  /** Up to max bytes (at least one unless the input ended). */
  async readSome(max: number): Promise<Buffer> {
    if (!(await this.fill(1))) throw new TarFormatError('unexpected EOF');
    return this.take(Math.min(max, this.buffered));
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) left -= (await this.readSome(left)).length;
  }
}

function cstring(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
}

function parseNumber(b: Buffer, start: number, len: number): number {
  const f = b.subarray(start, start + len);
  if (f[0]! & 0x80) {
    // Base-256: big-endian two's complement with the top bit as marker.
    let v = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    return v;
  }
  const s = f.toString('ascii').replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`invalid numeric field "${s}"`);
  return parseInt(s, 8);
}

function verifyChecksum(h: Buffer): boolean {
  const want = parseNumber(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < body.length) {
    const sp = body.indexOf(0x20, off);
    if (sp < 0) throw new TarFormatError('invalid PAX record');
    const len = Number(body.subarray(off, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || off + len > body.length) throw new TarFormatError('invalid PAX record');
    const rec = body.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq < 0) throw new TarFormatError('invalid PAX record');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

const types: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

export interface TarReadEntry {
  header: TarHeader;
  /** The member's bytes; only files have any. Read it before asking for the next entry, or it is skipped. */
  body: AsyncIterable<Buffer>;
  /** Collects the whole body (for small members such as manifests). */
  readAll(): Promise<Buffer>;
}

/** Reads a tar stream entry by entry. Unknown member types (sockets, sparse files) are refused loudly. */
export async function* readTar(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<TarReadEntry> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  const global: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (true) {
    const h = await r.read(BLOCK);
    if (!h) return;
    if (h.every((b) => b === 0)) return;
    if (!verifyChecksum(h)) throw new TarFormatError('invalid header checksum');
    const flag = String.fromCharCode(h[156]!);
    let size = parseNumber(h, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const body = size ? await r.read(padded) : Buffer.alloc(0);
      if (!body) throw new TarFormatError('unexpected EOF');
      const content = body.subarray(0, size);
      if (flag === 'x') pax = { ...pax, ...parsePax(content) };
      else if (flag === 'g') Object.assign(global, parsePax(content));
      else if (flag === 'L') longName = cstring(content, 0, content.length);
      else longLink = cstring(content, 0, content.length);
      continue;
    }
    const type = types[flag];
    const ext = { ...global, ...pax };
    let name = cstring(h, 0, 100);
    const magic = h.subarray(257, 263).toString('ascii');
    if (magic === 'ustar\0') {
      const prefix = cstring(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    if (ext.path !== undefined) name = ext.path;
    let linkname = cstring(h, 157, 100);
    if (longLink !== undefined) linkname = longLink;
    if (ext.linkpath !== undefined) linkname = ext.linkpath;
    if (ext.size !== undefined) size = Number(ext.size);
    pax = {};
    longName = undefined;
    longLink = undefined;
    if (!type) throw new TarFormatError(`unsupported member type '${flag}' for ${name}`);
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(ext)) if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice('SCHILY.xattr.'.length)] = v;
    const header: TarHeader = {
      path: cleanArchivePath(name),
      type: type === 'file' && name.endsWith('/') && size === 0 ? 'dir' : type,
      mode: parseNumber(h, 100, 8),
      uid: ext.uid !== undefined ? Number(ext.uid) : parseNumber(h, 108, 8),
      gid: ext.gid !== undefined ? Number(ext.gid) : parseNumber(h, 116, 8),
      size: type === 'file' ? size : 0,
      mtime: ext.mtime !== undefined ? Math.floor(Number(ext.mtime)) : parseNumber(h, 136, 12),
      uname: ext.uname ?? cstring(h, 265, 32),
      gname: ext.gname ?? cstring(h, 297, 32),
    };
    if (type === 'symlink' || type === 'hardlink') header.linkname = linkname;
    if (type === 'char' || type === 'block') {
      header.devmajor = parseNumber(h, 329, 8);
      header.devminor = parseNumber(h, 337, 8);
    }
    if (Object.keys(xattrs).length) header.xattrs = xattrs;
    // Non-file members may still carry data (hardlinks in some writers); it is skipped.
    const dataSize = size;
    let left = type === 'file' ? dataSize : 0;
    const body: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        while (left > 0) {
          const chunk = await r.readSome(Math.min(left, 1 << 20));
          left -= chunk.length;
          yield chunk;
        }
      },
    };
    const readAll = async () => {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c);
      return Buffer.concat(parts);
    };
    yield { header, body, readAll };
    const consumed = (type === 'file' ? dataSize : 0) - left;
    await r.skip(Math.ceil(dataSize / BLOCK) * BLOCK - consumed);
  }
}
