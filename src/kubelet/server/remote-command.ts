/**
 * exec and attach over either transport: WebSocket channels (v1..v5) or SPDY
 * streams (v1..v4, one stream per `streamType`). Both are reduced to
 * `CommandChannels`, which `runCommandSession` connects to the runtime's
 * session; the outcome goes back on the error channel as upstream writes it:
 * v4+ a metav1.Status (exit codes as cause `ExitCode` of reason
 * `NonZeroExitCode`, which kubectl turns into its own exit code), earlier
 * versions the failure message as text.
 */
import { PassThrough, type Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../machinery/log.js';
import type { StreamOptions, StreamSession } from '../runtime/interface.js';
import { Channel, type ChannelProtocol, ResizeDecoder, decodeChannelMessage, encodeChannelMessage } from './channel.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

export type CommandOutcome = { kind: 'success' } | { kind: 'exit'; code: number; command: readonly string[] } | { kind: 'error'; message: string };

export interface TerminalSize {
  width: number;
  height: number;
}

/** What a transport offers a session: the requested streams, resize events, a way to report the outcome. */
export interface CommandChannels {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  onResize(listener: (size: TerminalSize) => void): void;
  /** Settles when the client went away. */
  readonly clientGone: Promise<void>;
  /** Ends the output streams, writes the outcome, closes the connection. */
  finish(outcome: CommandOutcome): Promise<void>;
}

/** The metav1.Status upstream writes on the error channel (v4 and later). */
export function outcomeStatus(outcome: CommandOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'success':
      return { metadata: {}, status: 'Success' };
    case 'exit':
      return {
        metadata: {},
        status: 'Failure',
        message: `command terminated with non-zero exit code: error executing command [${outcome.command.join(' ')}], exit code ${outcome.code}`,
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(outcome.code) }] },
      };
    case 'error':
      return { metadata: {}, status: 'Failure', message: outcome.message, reason: 'InternalError', details: { causes: [{ message: outcome.message }] }, code: 500 };
  }
}

/** What the error channel carries: JSON from v4 on; before, only a failure's message. */
function errorPayload(version: number, outcome: CommandOutcome): Buffer | undefined {
  if (version >= 4) return Buffer.from(JSON.stringify(outcomeStatus(outcome)));
  if (outcome.kind === 'success') return undefined;
  return Buffer.from(String(outcomeStatus(outcome).message));
}

export function webSocketCommandChannels(ws: WebSocket, protocol: ChannelProtocol, opts: StreamOptions): CommandChannels {
  const stdin = opts.stdin ? new PassThrough() : undefined;
  const resize = new ResizeDecoder();
  const resizeListeners: ((s: TerminalSize) => void)[] = [];
  let gone!: () => void;
  const clientGone = new Promise<void>((r) => (gone = r));
  const send = (channel: number, data: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (ws.readyState !== ws.OPEN) return reject(new Error('websocket closed'));
      const m = encodeChannelMessage(protocol, channel, data);
      ws.send(m.data, { binary: m.binary }, (err) => (err ? reject(err) : resolve()));
    });
  const output = (channel: number) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        send(channel, chunk).then(() => cb(), cb);
      },
    });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    const m = decodeChannelMessage(protocol, buf);
    if (!m.ok) return;
    if (m.channel === Channel.Stdin) stdin?.write(m.data);
    else if (m.channel === Channel.Resize) for (const s of resize.push(m.data)) resizeListeners.forEach((l) => l(s));
    else if (m.channel === Channel.Close && protocol.version >= 5 && m.data[0] === Channel.Stdin) stdin?.end();
  });
  ws.on('close', () => {
    stdin?.end();
    gone();
  });
  ws.on('error', () => undefined);
  const stdout = opts.stdout ? output(Channel.Stdout) : undefined;
  const stderr = opts.stderr && !opts.tty ? output(Channel.Stderr) : undefined;
  // Clients before v5 learn the streams are up from a first, empty frame on the lowest writable channel.
  if (protocol.version < 5) void send(stdout ? Channel.Stdout : stderr ? Channel.Stderr : Channel.Error, Buffer.alloc(0)).catch(() => undefined);
  return {
    stdin,
    stdout,
    stderr,
    onResize: (l) => void resizeListeners.push(l),
    clientGone,
    async finish(outcome) {
      const payload = errorPayload(protocol.version, outcome);
      if (payload) await send(Channel.Error, payload).catch(() => undefined);
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}

export type SpdyChannelsResult = { ok: true; channels: CommandChannels } | { ok: false; message: string };

/**
 * Waits for the streams the client must open for this request (error, plus
 * stdin/stdout/stderr as asked, plus resize for a tty from v3 on).
 */
export function spdyCommandChannels(conn: SpdyConnection, version: number, opts: StreamOptions, timeoutMs: number): Promise<SpdyChannelsResult> {
  const expected = new Set<string>(['error']);
  if (opts.stdin) expected.add('stdin');
  if (opts.stdout) expected.add('stdout');
  if (opts.stderr && !opts.tty) expected.add('stderr');
  if (opts.tty && version >= 3) expected.add('resize');
  const got = new Map<string, SpdyStream>();
  return new Promise<SpdyChannelsResult>((resolve) => {
    const timer = setTimeout(() => {
      cleanup();
      void conn.close();
      resolve({ ok: false, message: 'timed out waiting for client to create streams' });
    }, timeoutMs);
    const onClose = () => {
      cleanup();
      resolve({ ok: false, message: 'connection closed before the client created its streams' });
    };
    const onStream = (s: SpdyStream) => {
      const type = s.header('streamType') ?? '';
      if (!expected.has(type) || got.has(type)) {
        s.destroy();
        return;
      }
      got.set(type, s);
      if (got.size === expected.size) {
        cleanup();
        resolve({ ok: true, channels: spdyChannels(conn, version, got) });
      }
    };
    const cleanup = () => {
      clearTimeout(timer);
      conn.off('stream', onStream);
      conn.off('close', onClose);
    };
    conn.on('stream', onStream);
    conn.on('close', onClose);
  });
}

function spdyChannels(conn: SpdyConnection, version: number, streams: Map<string, SpdyStream>): CommandChannels {
  const resizeListeners: ((s: TerminalSize) => void)[] = [];
  const resizeStream = streams.get('resize');
  if (resizeStream) {
    const dec = new ResizeDecoder();
    resizeStream.on('data', (d: Buffer) => dec.push(d).forEach((s) => resizeListeners.forEach((l) => l(s))));
  }
  for (const s of streams.values()) s.on('error', () => undefined);
  const clientGone = new Promise<void>((r) => (conn.isClosed ? r() : conn.once('close', () => r())));
  const endStream = (s: SpdyStream | undefined) =>
    new Promise<void>((resolve) => {
      if (!s || s.destroyed || s.writableEnded) return resolve();
      s.end(() => resolve());
      s.once('close', () => resolve());
    });
  return {
    stdin: streams.get('stdin'),
    stdout: streams.get('stdout'),
    stderr: streams.get('stderr'),
    onResize: (l) => void resizeListeners.push(l),
    clientGone,
    async finish(outcome) {
      await Promise.all([endStream(streams.get('stdout')), endStream(streams.get('stderr'))]);
      const errorStream = streams.get('error')!;
      const payload = errorPayload(version, outcome);
      if (payload && !errorStream.destroyed) await new Promise<void>((r) => errorStream.write(payload, () => r()));
      await endStream(errorStream);
      await conn.close();
    },
  };
}

export type SessionKind = { kind: 'exec'; command: readonly string[] } | { kind: 'attach' };

/** Connects a runtime session to the client's channels until the process ends or the client leaves. */
export async function runCommandSession(channels: CommandChannels, start: () => Promise<StreamSession>, what: SessionKind, logger: Logger): Promise<void> {
  let session: StreamSession;
  try {
    session = await start();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await channels.finish({ kind: 'error', message: what.kind === 'exec' ? `error executing command in container: ${why}` : `error attaching to container: ${why}` });
    return;
  }
  const drained: Promise<void>[] = [];
  const forward = (from: Readable | undefined, to: Writable | undefined) => {
    if (!from) return;
    drained.push(new Promise<void>((r) => {
      from.once('end', r);
      from.once('close', r);
    }));
    from.on('error', () => undefined);
    if (to) from.pipe(to, { end: false });
    else from.resume();
  };
  forward(session.stdout, channels.stdout);
  forward(session.stderr, channels.stderr);
  if (channels.stdin) {
    if (session.stdin) {
      session.stdin.on('error', () => undefined);
      channels.stdin.pipe(session.stdin);
    } else channels.stdin.resume();
  }
  channels.onResize((size) => {
    try {
      session.resize(size);
    } catch (err) {
      logger.debug('terminal resize failed', { err });
    }
  });
  let left = false;
  void channels.clientGone.then(() => {
    left = true;
    session.close();
  });
  const code = await session.exit.catch((err: unknown) => {
    logger.debug('stream session failed', { err });
    return -1;
  });
  await Promise.race([Promise.all(drained), channels.clientGone]);
  if (left) return;
  const outcome: CommandOutcome = what.kind === 'attach' || code === 0 ? { kind: 'success' } : code < 0 ? { kind: 'error', message: 'error executing command in container: the process ended abnormally' } : { kind: 'exit', code, command: what.command };
  await channels.finish(outcome);
}
