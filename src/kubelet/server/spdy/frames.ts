/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 session
 * window): the binary layout of data and control frames. Header blocks stay
 * compressed here; `header-compression.ts` turns them into name/value lists,
 * because their zlib context spans the whole connection.
 *
 * Control frame: 1 bit C=1 | 15 bit version | 16 bit type | 8 bit flags | 24 bit length | payload
 * Data frame:    1 bit C=0 | 31 bit stream id            | 8 bit flags | 24 bit length | payload
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

/** Largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedStreamId: number; priority: number; slot: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control type this codec does not know; SPDY says to ignore it. */
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; message: string };

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY control frame payload of ${payload.length} bytes is too large`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Serializes one frame. Header blocks must already be compressed. */
export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY data frame payload of ${frame.data.length} bytes is too large`);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      head.writeUInt32BE(frame.data.length, 4);
      head[4] = frame.flags;
      return Buffer.concat([head, frame.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(frame.associatedStreamId & 0x7fffffff, 4);
      fixed[8] = (frame.priority & 0x7) << 5;
      fixed[9] = frame.slot & 0xff;
      return controlFrame(FrameType.SynStream, frame.flags, Buffer.concat([fixed, frame.headerBlock]));
    }
    case 'syn_reply':
      return controlFrame(FrameType.SynReply, frame.flags, Buffer.concat([u32(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case 'headers':
      return controlFrame(FrameType.Headers, frame.flags, Buffer.concat([u32(frame.streamId & 0x7fffffff), frame.headerBlock]));
    case 'rst_stream':
      return controlFrame(FrameType.RstStream, 0, u32(frame.streamId & 0x7fffffff, frame.status));
    case 'settings': {
      const body = Buffer.alloc(4 + frame.entries.length * 8);
      body.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        body.writeUInt32BE(e.id & 0xffffff, 4 + i * 8);
        body[4 + i * 8] = e.flags;
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return controlFrame(FrameType.Settings, frame.flags, body);
    }
    case 'ping':
      return controlFrame(FrameType.Ping, 0, u32(frame.id));
    case 'goaway':
      return controlFrame(FrameType.GoAway, 0, u32(frame.lastGoodStreamId & 0x7fffffff, frame.status));
    case 'window_update':
      return controlFrame(FrameType.WindowUpdate, 0, u32(frame.streamId & 0x7fffffff, frame.delta & 0x7fffffff));
    case 'unknown':
      return controlFrame(frame.frameType, frame.flags, frame.payload);
  }
}

function decodeControl(type: number, flags: number, p: Buffer): DecodeResult {
  const need = (n: number, name: string): DecodeResult | undefined => (p.length < n ? { ok: false, message: `truncated SPDY ${name} frame` } : undefined);
  switch (type) {
    case FrameType.SynStream:
      return (
        need(10, 'SYN_STREAM') ?? {
          ok: true,
          frame: { type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedStreamId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8]! >> 5, slot: p[9]!, flags, headerBlock: p.subarray(10) },
        }
      );
    case FrameType.SynReply:
      return need(4, 'SYN_REPLY') ?? { ok: true, frame: { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) } };
    case FrameType.Headers:
      return need(4, 'HEADERS') ?? { ok: true, frame: { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) } };
    case FrameType.RstStream:
      return need(8, 'RST_STREAM') ?? { ok: true, frame: { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) } };
    case FrameType.Settings: {
      const short = need(4, 'SETTINGS');
      if (short) return short;
      const n = p.readUInt32BE(0);
      if (p.length < 4 + n * 8) return { ok: false, message: 'truncated SPDY SETTINGS frame' };
      const entries = [];
      for (let i = 0; i < n; i++) entries.push({ flags: p[4 + i * 8]!, id: p.readUInt32BE(4 + i * 8) & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      return { ok: true, frame: { type: 'settings', flags, entries } };
    }
    case FrameType.Ping:
      return need(4, 'PING') ?? { ok: true, frame: { type: 'ping', id: p.readUInt32BE(0) } };
    case FrameType.GoAway:
      return need(4, 'GOAWAY') ?? { ok: true, frame: { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 } };
    case FrameType.WindowUpdate:
      return need(8, 'WINDOW_UPDATE') ?? { ok: true, frame: { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff } };
    default:
      return { ok: true, frame: { type: 'unknown', frameType: type, flags, payload: p } };
  }
}

/**
 * Cuts a byte stream into frames. Feed it whatever the transport delivers
 * (TCP segments, WebSocket messages); it keeps partial frames until complete.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private failed?: string;

  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  /** Appends bytes and returns every frame now complete, or the first error (after which the reader stays failed). */
  push(chunk: Buffer): { ok: true; frames: Frame[] } | { ok: false; message: string } {
    if (this.failed) return { ok: false, message: this.failed };
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (length > this.maxPayload) return this.fail(`SPDY frame of ${length} bytes exceeds the limit of ${this.maxPayload}`);
      if (this.buf.length < 8 + length) break;
      const first = this.buf.readUInt32BE(0);
      const flags = this.buf[4]!;
      const payload = Buffer.from(this.buf.subarray(8, 8 + length));
      this.buf = this.buf.subarray(8 + length);
      if ((first & 0x80000000) === 0) {
        frames.push({ type: 'data', streamId: first & 0x7fffffff, flags, data: payload });
        continue;
      }
      const version = (first >>> 16) & 0x7fff;
      if (version !== SPDY_VERSION) return this.fail(`unsupported SPDY version ${version}`);
      const r = decodeControl(first & 0xffff, flags, payload);
      if (!r.ok) return this.fail(r.message);
      frames.push(r.frame);
    }
    return { ok: true, frames };
  }

  private fail(message: string): { ok: false; message: string } {
    this.failed = message;
    return { ok: false, message };
  }
}
