/**
 * The grpc.health.v1 wire messages, hand-encoded: two one-field messages do
 * not justify loading a .proto at runtime.
 *   HealthCheckRequest  { string service = 1; }
 *   HealthCheckResponse { ServingStatus status = 1; }
 */
export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function readVarint(buf: Buffer, pos: number): { value: number; pos: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return { value, pos };
    shift += 7;
  }
}

export function encodeHealthCheckRequest(msg: { service: string }): Buffer {
  if (!msg.service) return Buffer.alloc(0);
  const s = Buffer.from(msg.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(s.length)]), s]);
}

export function decodeHealthCheckRequest(buf: Buffer): { service: string } {
  let pos = 0;
  let service = '';
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.pos;
    const wire = tag.value & 7;
    if (wire === 2) {
      const len = readVarint(buf, pos);
      const bytes = buf.subarray(len.pos, len.pos + len.value);
      if (tag.value >>> 3 === 1) service = bytes.toString('utf8');
      pos = len.pos + len.value;
    } else if (wire === 0) {
      pos = readVarint(buf, pos).pos;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return { service };
}

export function encodeHealthCheckResponse(msg: { status: number }): Buffer {
  return msg.status ? Buffer.from([0x08, ...varint(msg.status)]) : Buffer.alloc(0);
}

export function decodeHealthCheckResponse(buf: Buffer): { status: number } {
  let pos = 0;
  let status = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.pos;
    const wire = tag.value & 7;
    if (wire === 0) {
      const v = readVarint(buf, pos);
      if (tag.value >>> 3 === 1) status = v.value;
      pos = v.pos;
    } else if (wire === 2) {
      const len = readVarint(buf, pos);
      pos = len.pos + len.value;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return { status };
}
