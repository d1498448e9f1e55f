/**
 * The response side of an HTTP/1.1 request that asked to upgrade (exec,
 * attach, port-forward over WebSocket or SPDY). Node hands such requests
 * over as a bare socket; this gives the request chain the same `Response`
 * it writes errors to, writing HTTP/1.1 on the socket, until a handler takes
 * the socket over to relay the 101 and the streams behind it.
 */
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Response } from '../http/respond.js';

export class UpgradeResponse extends EventEmitter implements Response {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  private readonly headers = new Map<string, { name: string; value: string | number | readonly string[] }>();
  private takenOver = false;

  constructor(readonly socket: Duplex) {
    super();
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.writableEnded = true;
      this.emit('close');
    });
    socket.on('drain', () => this.emit('drain'));
  }

  /** True once a handler relays its own response on the socket. */
  get isTakenOver(): boolean {
    return this.takenOver;
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name.toLowerCase(), { name, value });
    return this;
  }

  getHeader(name: string): unknown {
    return this.headers.get(name.toLowerCase())?.value;
  }

  /** The socket, for a handler that writes the status line itself (after which this object writes nothing). */
  takeOver(statusCode: number): Duplex {
    this.takenOver = true;
    this.headersSent = true;
    this.statusCode = statusCode;
    return this.socket;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.takenOver || this.writableEnded) return false;
    this.sendHead(true);
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (!b.length) return true;
    return this.socket.write(Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n')]));
  }

  end(chunk?: string | Uint8Array): this {
    if (this.takenOver || this.writableEnded) return this;
    if (!this.headersSent) {
      const body = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk);
      this.headers.set('content-length', { name: 'Content-Length', value: body.length });
      this.sendHead(false);
      this.socket.end(body);
    } else {
      if (chunk !== undefined) this.write(chunk);
      this.socket.end('0\r\n\r\n');
    }
    this.writableEnded = true;
    return this;
  }

  private sendHead(chunked: boolean): void {
    if (this.headersSent) return;
    this.headersSent = true;
    if (chunked) this.headers.set('transfer-encoding', { name: 'Transfer-Encoding', value: 'chunked' });
    // The connection was asked to switch protocols; answering otherwise ends it.
    this.headers.set('connection', { name: 'Connection', value: 'close' });
    const lines = [`HTTP/1.1 ${this.statusCode} ${STATUS_CODES[this.statusCode] ?? 'Unknown'}`];
    for (const { name, value } of this.headers.values()) {
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
    }
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
  }
}
