/**
 * The WebSocket channel protocols of Kubernetes streaming: every message
 * starts with one byte naming its channel. Remote commands use 0 stdin,
 * 1 stdout, 2 stderr, 3 error (v4+: a metav1.Status as JSON; before: plain
 * text), 4 resize (`{"Width":w,"Height":h}`), and v5 adds 255 "close": the
 * message `[255, n]` half-closes channel n (how stdin reaches EOF). Port
 * forwarding uses two channels per port, data 2i and error 2i+1, each
 * starting with the port as 16-bit little endian. The `base64.` variants
 * send text messages: the channel as an ASCII digit, then base64 data.
 */

export const Channel = {
  Stdin: 0,
  Stdout: 1,
  Stderr: 2,
  Error: 3,
  Resize: 4,
  Close: 255,
} as const;

export interface ChannelProtocol {
  /** The subprotocol name as negotiated ('' when the client asked for none). */
  name: string;
  /** Remote-command protocol version: 1 (channel.k8s.io) to 5. */
  version: number;
  base64: boolean;
}

/** Remote-command subprotocols this server accepts over WebSocket, most preferred first. */
export const REMOTE_COMMAND_PROTOCOLS: readonly string[] = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
];

/** Port-forward subprotocols over WebSocket (the channel pairs described above). */
export const PORT_FORWARD_WS_PROTOCOLS: readonly string[] = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** kubectl 1.31+ tunnels SPDY port-forwarding through WebSocket binary messages under this subprotocol. */
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export function channelProtocol(name: string): ChannelProtocol {
  const m = /^(?:v(\d)\.)?(base64\.)?channel\.k8s\.io$/.exec(name);
  if (!m) return { name, version: 1, base64: false };
  return { name, version: m[1] ? Number(m[1]) : 1, base64: !!m[2] };
}

/** The first protocol of the client's list (in the client's order, as upstream) this side supports. */
export function negotiate(clientProtocols: readonly string[], supported: readonly string[]): string | undefined {
  return clientProtocols.find((p) => supported.includes(p));
}

/** Splits a `Sec-WebSocket-Protocol` / `X-Stream-Protocol-Version` header (repeated or comma-separated). */
export function protocolList(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function encodeChannelMessage(protocol: ChannelProtocol, channel: number, data: Buffer): { data: Buffer | string; binary: boolean } {
  if (protocol.base64) return { data: String.fromCharCode(48 + channel) + data.toString('base64'), binary: false };
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  data.copy(out, 1);
  return { data: out, binary: true };
}

export type DecodedMessage = { ok: true; channel: number; data: Buffer } | { ok: false; message: string };

export function decodeChannelMessage(protocol: ChannelProtocol, raw: Buffer): DecodedMessage {
  if (raw.length === 0) return { ok: false, message: 'empty message' };
  if (!protocol.base64) return { ok: true, channel: raw[0]!, data: raw.subarray(1) };
  const channel = raw[0]! - 48;
  const text = raw.subarray(1).toString('latin1');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return { ok: false, message: 'invalid base64 data' };
  return { ok: true, channel, data: Buffer.from(text, 'base64') };
}

/** Terminal sizes arrive as JSON objects, possibly several per read or split across reads. */
export class ResizeDecoder {
  private pending = '';

  push(chunk: Buffer): { width: number; height: number }[] {
    this.pending += chunk.toString('utf8');
    const out: { width: number; height: number }[] = [];
    for (let end = this.pending.indexOf('}'); end >= 0; end = this.pending.indexOf('}')) {
      const text = this.pending.slice(0, end + 1);
      this.pending = this.pending.slice(end + 1);
      try {
        const v = JSON.parse(text.slice(text.indexOf('{'))) as { Width?: number; Height?: number };
        if (typeof v.Width === 'number' && typeof v.Height === 'number') out.push({ width: v.Width, height: v.Height });
      } catch {
        // A malformed size is dropped; the next one still applies.
      }
    }
    return out;
  }
}
