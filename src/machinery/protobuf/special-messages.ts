/**
 * Messages whose protobuf layout differs from their JSON form. They are
 * recognised by definition name; each has a fixed layout upstream.
 */
import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { WireType, WireWriter, readFields, utf8, varintToSigned } from './wire.js';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const DURATION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Duration';
export const FIELDS_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1';

/** Decodes one special message; `undefined` means the JSON field is absent (a zero Time). */
type SpecialDecoder = (bytes: Uint8Array) => unknown;
type SpecialEncoder = (value: unknown) => Uint8Array;

interface SpecialMessage {
  decode: SpecialDecoder;
  encode: SpecialEncoder;
}

function timeParts(bytes: Uint8Array): { seconds: bigint; nanos: number; empty: boolean } {
  let seconds = 0n;
  let nanos = 0;
  let empty = true;
  for (const f of readFields(bytes)) {
    if (f.wireType !== WireType.Varint) continue;
    if (f.tag === 1) seconds = BigInt.asIntN(64, f.value);
    else if (f.tag === 2) nanos = varintToSigned(f.value);
    else continue;
    empty = false;
  }
  return { seconds, nanos, empty };
}

function formatTime(seconds: bigint, nanos: number, micro: boolean): string {
  const d = new Date(Number(seconds) * 1000);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return base + 'Z';
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

function encodeTime(value: unknown): Uint8Array {
  const w = new WireWriter();
  if (typeof value !== 'string' || value === '') return w.finish();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`protobuf: invalid time ${JSON.stringify(value)}`);
  const seconds = Math.floor(ms / 1000);
  const frac = /\.(\d+)/.exec(value)?.[1] ?? '';
  const nanos = frac ? Number(frac.slice(0, 9).padEnd(9, '0')) : 0;
  w.varint(1, seconds);
  if (nanos) w.varint(2, nanos);
  return w.finish();
}

function jsonBytesDecoder(tag: number): SpecialDecoder {
  return (bytes) => {
    for (const f of readFields(bytes)) if (f.tag === tag && f.wireType === WireType.LengthDelimited) return decodeEmbeddedJSON(f.value);
    return undefined;
  };
}

/** Raw JSON carried in a bytes field (RawExtension, apiextensions JSON, FieldsV1). */
export function decodeEmbeddedJSON(raw: Uint8Array): unknown {
  if (raw.length === 0) return undefined;
  const text = utf8(raw);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error('protobuf: embedded raw value is not JSON', { cause: err });
  }
}

export function encodeEmbeddedJSON(tag: number, value: unknown): Uint8Array {
  const w = new WireWriter();
  if (value !== undefined) w.string(tag, JSON.stringify(value));
  return w.finish();
}

export const specialMessages: ReadonlyMap<string, SpecialMessage> = new Map<string, SpecialMessage>([
  [
    QUANTITY,
    {
      decode: (bytes) => {
        let s = '';
        for (const f of readFields(bytes)) if (f.tag === 1 && f.wireType === WireType.LengthDelimited) s = utf8(f.value);
        return s;
      },
      encode: (v) => new WireWriter().string(1, String(v)).finish(),
    },
  ],
  [
    INT_OR_STRING,
    {
      decode: (bytes) => {
        let type = 0;
        let intVal = 0;
        let strVal = '';
        for (const f of readFields(bytes)) {
          if (f.tag === 1 && f.wireType === WireType.Varint) type = varintToSigned(f.value);
          else if (f.tag === 2 && f.wireType === WireType.Varint) intVal = varintToSigned(f.value);
          else if (f.tag === 3 && f.wireType === WireType.LengthDelimited) strVal = utf8(f.value);
        }
        return type === 1 ? strVal : intVal;
      },
      encode: (v) => {
        const w = new WireWriter();
        if (typeof v === 'number') return w.varint(1, 0).varint(2, v).string(3, '').finish();
        return w.varint(1, 1).varint(2, 0).string(3, String(v)).finish();
      },
    },
  ],
  [
    TIME,
    {
      decode: (bytes) => {
        const t = timeParts(bytes);
        return t.empty ? undefined : formatTime(t.seconds, t.nanos, false);
      },
      encode: encodeTime,
    },
  ],
  [
    MICRO_TIME,
    {
      decode: (bytes) => {
        const t = timeParts(bytes);
        return t.empty ? undefined : formatTime(t.seconds, t.nanos, true);
      },
      encode: encodeTime,
    },
  ],
  [
    DURATION,
    {
      decode: (bytes) => {
        let n = 0n;
        for (const f of readFields(bytes)) if (f.tag === 1 && f.wireType === WireType.Varint) n = BigInt.asIntN(64, f.value);
        return formatGoDuration(n);
      },
      encode: (v) => {
        const n = typeof v === 'string' ? parseGoDuration(v) : undefined;
        if (n === undefined) throw new Error(`protobuf: invalid duration ${JSON.stringify(v)}`);
        return new WireWriter().varint(1, n).finish();
      },
    },
  ],
  [FIELDS_V1, { decode: jsonBytesDecoder(1), encode: (v) => encodeEmbeddedJSON(1, v) }],
]);
