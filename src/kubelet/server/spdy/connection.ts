/**
 * A SPDY/3.1 session over any byte stream: a TLS socket after an HTTP
 * `Upgrade: SPDY/3.1`, or a WebSocket carrying SPDY frames in binary
 * messages (kubectl's port-forward tunnel). Streams are Node Duplexes: what
 * the peer sends on a stream is readable, writes become DATA frames, `end()`
 * sends FIN and RST_STREAM destroys it.
 *
 * Flow control is not enforced in either direction: the Go peer kubectl and
 * client libraries use (moby/spdystream) neither sends nor honours
 * WINDOW_UPDATE, so windows would only stall transfers past 64 KiB.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { FLAG_FIN, type Frame, FrameReader, MAX_FRAME_PAYLOAD, RstStatus, encodeFrame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './header-block.js';

/** Largest DATA payload written at once; bigger writes are split. */
const DATA_CHUNK = 32 * 1024;

export interface SpdyConnectionOptions {
  /** True on the side that answered the upgrade: its own streams get even ids, pings odd ids are the peer's. */
  server: boolean;
}

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  private remoteClosed = false;

  constructor(
    private readonly conn: SpdyConnection,
    id: number,
    headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.headers = headers;
  }

  /** The first value of a header, by case-insensitive name. */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.sendData(this.id, chunk, false).then(() => cb(), (err: Error) => (this.conn.isClosed ? cb() : cb(err)));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.sendData(this.id, Buffer.alloc(0), true).then(() => cb(), (err: Error) => (this.conn.isClosed ? cb() : cb(err)));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn.forget(this, { reset: !this.remoteClosed || !this.writableFinished });
    cb(err);
  }

  /** Data from the peer. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
    }
  }

  /** The peer reset the stream. */
  resetByPeer(): void {
    this.remoteClosed = true;
    this.destroy();
  }

  /**
   * The connection is gone: what already arrived is still delivered, the
   * readable side ends, and later writes are dropped.
   */
  transportGone(): void {
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.push(null);
    }
    if (!this.writableEnded) this.end();
  }
}

export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

/**
 * Events: `stream` for each SYN_STREAM the peer opens (already answered
 * with SYN_REPLY unless the handler resets it synchronously), `close` once
 * the transport is gone, `error` for protocol violations (the transport is
 * then closed).
 */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly reader = new FrameReader(MAX_FRAME_PAYLOAD);
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames are encoded and written strictly in the order they were queued. */
  private writeTail: Promise<void> = Promise.resolve();
  /** Incoming frames are handled one at a time: header blocks inflate asynchronously. */
  private readTail: Promise<void> = Promise.resolve();
  private nextStreamId: number;
  private lastPeerStreamId = 0;
  private closed = false;
  private goingAway = false;

  constructor(
    private readonly transport: Duplex,
    private readonly opts: SpdyConnectionOptions,
  ) {
    super();
    this.nextStreamId = opts.server ? 2 : 1;
    transport.on('data', (chunk: Buffer) => this.onBytes(chunk));
    // Frames still being handled (header blocks inflate asynchronously) come before the end.
    const ended = () => void this.readTail.then(() => this.shutdown());
    transport.on('end', ended);
    transport.on('close', ended);
    transport.on('error', ended);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a stream (SYN_STREAM); resolves once it is written. */
  async openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    await this.enqueue(async () => encodeFrame({ type: 'syn_stream', streamId: id, associatedStreamId: 0, priority: 0, slot: 0, flags: opts.fin ? FLAG_FIN : 0, headerBlock: await this.compressor.compress(headers) }));
    return stream;
  }

  /** Sends a PING (ids of our parity); the echo is not awaited. */
  ping(id: number): Promise<void> {
    return this.enqueue(() => encodeFrame({ type: 'ping', id }));
  }

  /** GOAWAY, then the transport ends once everything queued is written. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.goingAway) {
      this.goingAway = true;
      await this.enqueue(() => encodeFrame({ type: 'goaway', lastGoodStreamId: this.lastPeerStreamId, status: 0 })).catch(() => undefined);
    }
    await this.writeTail.catch(() => undefined);
    this.transport.end();
    this.shutdown();
  }

  /** Tears the transport down at once. */
  destroy(): void {
    this.transport.destroy();
    this.shutdown();
  }

  /** Queues DATA frames (split to DATA_CHUNK); resolves once written to the transport. */
  sendData(streamId: number, data: Buffer, fin: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('SPDY connection closed'));
    const frames: Buffer[] = [];
    for (let off = 0; off < data.length; off += DATA_CHUNK) {
      const piece = data.subarray(off, Math.min(off + DATA_CHUNK, data.length));
      frames.push(encodeFrame({ type: 'data', streamId, flags: fin && off + DATA_CHUNK >= data.length ? FLAG_FIN : 0, data: piece }));
    }
    if (!data.length) frames.push(encodeFrame({ type: 'data', streamId, flags: fin ? FLAG_FIN : 0, data }));
    return this.enqueue(() => Buffer.concat(frames));
  }

  /** A stream is done on our side; sends RST_STREAM when it ended abnormally. */
  forget(stream: SpdyStream, opts: { reset: boolean }): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    if (opts.reset && !this.closed) void this.enqueue(() => encodeFrame({ type: 'rst_stream', streamId: stream.id, status: RstStatus.Cancel })).catch(() => undefined);
  }

  private enqueue(build: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.writeTail.then(async () => {
      if (this.closed) throw new Error('SPDY connection closed');
      const bytes = await build();
      if (this.transport.destroyed) throw new Error('SPDY connection closed');
      if (!this.transport.write(bytes)) await waitDrain(this.transport);
    });
    this.writeTail = next.catch(() => undefined);
    return next;
  }

  private onBytes(chunk: Buffer): void {
    const r = this.reader.push(chunk);
    if (!r.ok) return this.protocolError(r.message);
    for (const frame of r.frames) {
      this.readTail = this.readTail.then(() => this.handle(frame)).catch((err: Error) => this.protocolError(err.message));
    }
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'data': {
        const s = this.streams.get(frame.streamId);
        if (s) s.receive(frame.data, (frame.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'syn_stream': {
        const h = await this.decompressor.decompress(frame.headerBlock);
        if (!h.ok) return this.protocolError(h.message);
        if (frame.streamId <= this.lastPeerStreamId || this.streams.has(frame.streamId)) {
          await this.enqueue(() => encodeFrame({ type: 'rst_stream', streamId: frame.streamId, status: RstStatus.ProtocolError })).catch(() => undefined);
          return;
        }
        this.lastPeerStreamId = frame.streamId;
        if (this.goingAway) {
          await this.enqueue(() => encodeFrame({ type: 'rst_stream', streamId: frame.streamId, status: RstStatus.RefusedStream })).catch(() => undefined);
          return;
        }
        const stream = new SpdyStream(this, frame.streamId, h.headers);
        this.streams.set(frame.streamId, stream);
        // The reply is queued before the handler can write, so DATA never precedes it.
        const reply = this.enqueue(async () => encodeFrame({ type: 'syn_reply', streamId: frame.streamId, flags: 0, headerBlock: await this.compressor.compress(new Map()) }));
        reply.catch(() => undefined);
        if ((frame.flags & FLAG_FIN) !== 0) stream.receive(Buffer.alloc(0), true);
        this.emit('stream', stream);
        return;
      }
      case 'syn_reply':
      case 'headers': {
        const h = await this.decompressor.decompress(frame.headerBlock);
        if (!h.ok) return this.protocolError(h.message);
        if ((frame.flags & FLAG_FIN) !== 0) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      }
      case 'rst_stream': {
        const s = this.streams.get(frame.streamId);
        if (s) {
          this.streams.delete(frame.streamId);
          s.resetByPeer();
        }
        return;
      }
      case 'ping': {
        // Our own pings come back with our parity; the peer's are echoed.
        const ours = (frame.id % 2 === 0) === this.opts.server;
        if (!ours) await this.enqueue(() => encodeFrame(frame)).catch(() => undefined);
        return;
      }
      case 'goaway':
        this.goingAway = true;
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        return;
    }
  }

  private protocolError(message: string): void {
    if (this.closed) return;
    this.emit('error', new Error(message));
    this.destroy();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) {
      this.streams.delete(s.id);
      s.transportGone();
    }
    this.compressor.dispose();
    this.decompressor.dispose();
    this.emit('close');
  }
}

function waitDrain(s: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}
