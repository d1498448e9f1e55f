/**
 * The protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
 * a reader that walks one message's fields and a writer that builds one.
 * 64-bit varints go through BigInt so int64 values above 2^53 survive;
 * callers turn them into numbers where JSON needs one.
 */

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** One field as read from the wire; the value's shape follows the wire type. */
export type WireField =
  | { tag: number; wireType: typeof WireType.Varint; value: bigint }
  | { tag: number; wireType: typeof WireType.Fixed64; value: Uint8Array }
  | { tag: number; wireType: typeof WireType.LengthDelimited; value: Uint8Array }
  | { tag: number; wireType: typeof WireType.Fixed32; value: Uint8Array };

export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new Error('protobuf: varint longer than 10 bytes');
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new Error('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next field, or undefined at the end. Groups (deprecated, never used by Kubernetes) are skipped. */
  next(): WireField | undefined {
    while (!this.done) {
      const key = this.varint();
      const tag = Number(key >> 3n);
      const wireType = Number(key & 7n);
      if (tag === 0) throw new Error('protobuf: field number 0');
      switch (wireType) {
        case WireType.Varint:
          return { tag, wireType, value: this.varint() };
        case WireType.Fixed64:
          return { tag, wireType, value: this.take(8) };
        case WireType.LengthDelimited:
          return { tag, wireType, value: this.take(Number(this.varint())) };
        case WireType.Fixed32:
          return { tag, wireType, value: this.take(4) };
        case WireType.StartGroup:
          this.skipGroup(tag);
          continue;
        default:
          throw new Error(`protobuf: unsupported wire type ${wireType} for field ${tag}`);
      }
    }
    return undefined;
  }

  private skipGroup(tag: number): void {
    for (;;) {
      if (this.done) throw new Error('protobuf: unterminated group');
      const key = this.varint();
      const wt = Number(key & 7n);
      if (wt === WireType.EndGroup) {
        if (Number(key >> 3n) !== tag) throw new Error('protobuf: mismatched end group');
        return;
      }
      if (wt === WireType.Varint) this.varint();
      else if (wt === WireType.Fixed64) this.take(8);
      else if (wt === WireType.LengthDelimited) this.take(Number(this.varint()));
      else if (wt === WireType.Fixed32) this.take(4);
      else if (wt === WireType.StartGroup) this.skipGroup(Number(key >> 3n));
      else throw new Error(`protobuf: unsupported wire type ${wt}`);
    }
  }
}

/** Every field of a message, in wire order. */
export function readFields(buf: Uint8Array): WireField[] {
  const r = new WireReader(buf);
  const out: WireField[] = [];
  for (let f = r.next(); f; f = r.next()) out.push(f);
  return out;
}

/** The varints of a packed repeated scalar field. */
export function readPackedVarints(buf: Uint8Array): bigint[] {
  const r = new WireReader(buf);
  const out: bigint[] = [];
  while (!r.done) out.push(r.varint());
  return out;
}

export function fixed64ToDouble(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
}

export function fixed32ToFloat(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
}

/** int64/int32 as a JS number: two's complement, as Go reads it. */
export function varintToSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

export function utf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Builds one message; nested messages are built by their own writer and added with `bytes`. */
export class WireWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private rawVarint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  private key(tag: number, wireType: WireType): void {
    this.rawVarint((BigInt(tag) << 3n) | BigInt(wireType));
  }

  /** int32/int64/uint/bool/enum; negative numbers take ten bytes, as Go writes them. */
  varint(tag: number, v: number | bigint | boolean): this {
    this.key(tag, WireType.Varint);
    this.rawVarint(typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(typeof v === 'number' ? Math.trunc(v) : v));
    return this;
  }

  double(tag: number, v: number): this {
    this.key(tag, WireType.Fixed64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.push(b);
    return this;
  }

  bytes(tag: number, b: Uint8Array): this {
    this.key(tag, WireType.LengthDelimited);
    this.rawVarint(BigInt(b.length));
    this.push(b);
    return this;
  }

  string(tag: number, s: string): this {
    return this.bytes(tag, utf8Bytes(s));
  }

  /** A packed repeated varint field (proto3 style; proto2 readers accept it too). */
  packedVarints(tag: number, values: readonly (number | bigint)[]): this {
    const inner = new WireWriter();
    for (const v of values) inner.rawVarint(BigInt(typeof v === 'number' ? Math.trunc(v) : v));
    return this.bytes(tag, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
