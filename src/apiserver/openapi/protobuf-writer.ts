/**
 * A minimal protobuf (proto3) writer: varints, strings, doubles and nested
 * messages. Nested writers are spliced in by reference, so a deep document
 * is copied once, when `finish` assembles the bytes.
 */

type Chunk = Uint8Array | number[];

export class ProtoWriter {
  private readonly chunks: Chunk[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  private bytes(b: Chunk): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number | bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, BigInt(n));
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.bytes(out);
  }

  private smallVarint(n: number): void {
    if (n < 0x80) {
      this.bytes([n]);
      return;
    }
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.bytes(out);
  }

  private tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.smallVarint((field << 3) | wire);
  }

  /** A string field; empty strings are proto3 defaults and are skipped. */
  string(field: number, s: string | undefined): this {
    if (!s) return this;
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.smallVarint(b.length);
    this.bytes(b);
    return this;
  }

  strings(field: number, list: readonly string[] | undefined): this {
    if (!list) return this;
    for (const s of list) {
      const b = Buffer.from(s, 'utf8');
      this.tag(field, 2);
      this.smallVarint(b.length);
      this.bytes(b);
    }
    return this;
  }

  /** A bool field; `force` writes false too (a oneof member must be present). */
  bool(field: number, v: boolean | undefined, opts: { force?: boolean } = {}): this {
    if (v === undefined || (!v && !opts.force)) return this;
    this.tag(field, 0);
    this.bytes([v ? 1 : 0]);
    return this;
  }

  int64(field: number, v: number | undefined): this {
    if (v === undefined || v === 0) return this;
    this.tag(field, 0);
    const n = Math.trunc(v);
    if (n > 0 && n <= Number.MAX_SAFE_INTEGER) this.smallVarint(n);
    else this.varint(n);
    return this;
  }

  double(field: number, v: number | undefined): this {
    if (v === undefined || v === 0) return this;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v, 0);
    this.bytes(b);
    return this;
  }

  /** A nested message; written even when empty only with `force` (oneof members, presence-sensitive fields). */
  message(field: number, sub: ProtoWriter | undefined, opts: { force?: boolean } = {}): this {
    if (!sub || (sub.size === 0 && !opts.force)) return this;
    this.tag(field, 2);
    this.smallVarint(sub.size);
    for (const c of sub.chunks) this.bytes(c);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
