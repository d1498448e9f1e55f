/**
 * Content digests (`sha256:<hex>`): the only algorithm images use in
 * practice; others are refused when verification is needed.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part, as used for file names in a content store. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new Error(`unsupported digest ${JSON.stringify(digest)}`);
  return digest.slice('sha256:'.length);
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  /** Valid once the stream has ended. */
  digest(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}
