/**
 * SPDY/3 name/value header blocks and their compression. A block is a
 * 32-bit pair count, then per pair a 32-bit name length, the (lower-case)
 * name, a 32-bit value length and the value, several values of one name
 * joined by NUL. Each direction of a connection compresses its blocks with
 * one zlib stream primed with the SPDY dictionary, flushed (Z_SYNC_FLUSH)
 * after every block, so blocks must be (de)compressed in wire order.
 */
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './dictionary.js';

/** Header names (lower case) to their values, in the order they were added. */
export type SpdyHeaders = Map<string, string[]>;

export function headersFrom(pairs: Record<string, string | string[]>): SpdyHeaders {
  const h: SpdyHeaders = new Map();
  for (const [k, v] of Object.entries(pairs)) h.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  return h;
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(headers.size));
  for (const [name, values] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export type HeaderBlockResult = { ok: true; headers: SpdyHeaders } | { ok: false; message: string };

export function decodeHeaderBlock(block: Buffer): HeaderBlockResult {
  let off = 0;
  const take = (n: number): Buffer | undefined => {
    if (off + n > block.length) return undefined;
    const b = block.subarray(off, off + n);
    off += n;
    return b;
  };
  const u32 = (): number | undefined => take(4)?.readUInt32BE(0);
  const count = u32();
  if (count === undefined) return { ok: false, message: 'truncated SPDY header block' };
  const headers: SpdyHeaders = new Map();
  for (let i = 0; i < count; i++) {
    const nlen = u32();
    const name = nlen === undefined ? undefined : take(nlen);
    const vlen = u32();
    const value = vlen === undefined ? undefined : take(vlen);
    if (!name || !value) return { ok: false, message: 'truncated SPDY header block' };
    const n = name.toString('utf8');
    if (n !== n.toLowerCase()) return { ok: false, message: 'header was not lowercased' };
    if (headers.has(n)) return { ok: false, message: 'multiple headers with same name' };
    headers.set(n, value.toString('utf8').split('\0'));
  }
  return { ok: true, headers };
}

/** One side's zlib stream: blocks go in, in order; each comes out flushed. */
abstract class ZContext {
  private tail: Promise<unknown> = Promise.resolve();

  protected constructor(private readonly z: zlib.Deflate | zlib.Inflate) {
    // The stream is read by draining after each flush, never in flowing mode.
    z.on('error', () => undefined);
  }

  protected run(input: Buffer): Promise<Buffer> {
    const next = this.tail.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const onError = (err: Error) => reject(err);
          this.z.once('error', onError);
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('error', onError);
            const out: Buffer[] = [];
            for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null) out.push(c);
            resolve(Buffer.concat(out));
          });
        }),
    );
    this.tail = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.z.destroy();
  }
}

export class HeaderCompressor extends ZContext {
  constructor() {
    super(zlib.createDeflate({ dictionary: SPDY_DICTIONARY }));
  }

  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.run(encodeHeaderBlock(headers));
  }
}

export class HeaderDecompressor extends ZContext {
  constructor() {
    super(zlib.createInflate({ dictionary: SPDY_DICTIONARY }));
  }

  async decompress(compressed: Buffer): Promise<HeaderBlockResult> {
    let raw: Buffer;
    try {
      raw = await this.run(compressed);
    } catch (err) {
      return { ok: false, message: `SPDY header block decompression failed: ${(err as Error).message}` };
    }
    return decodeHeaderBlock(raw);
  }
}
