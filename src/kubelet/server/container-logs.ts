/**
 * Reading container logs in the CRI format runtimes write: one line per
 * record, `<RFC3339Nano time> <stdout|stderr> <P|F> <text>`, where P marks a
 * partial line continued by the next record and F ends it. Upstream's
 * semantics: tailLines counts records from the end of the current file,
 * sinceTime filters by record time, timestamps prefix each record's text,
 * limitBytes caps the output, follow keeps reading (across rotation, when
 * the file is renamed and a new one created) until the container stops.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** The time as written, normalized as Go prints RFC3339Nano (trailing zeros dropped). */
  time: string;
  timeMs: number;
  stream: LogStream;
  partial: boolean;
  text: Buffer;
}

export type ParsedRecord = { ok: true; record: LogRecord } | { ok: false; message: string };

/** Go's RFC3339Nano drops trailing zeros of the fraction (and the dot when nothing is left). */
function normalizeTime(t: string): string {
  return t.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, digits: string) => (digits ? `.${digits}` : ''));
}

export function parseCRILogLine(line: Buffer): ParsedRecord {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s1 < 0 || s2 < 0) return { ok: false, message: 'unexpected log line format' };
  const time = line.subarray(0, s1).toString('latin1');
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return { ok: false, message: `unexpected stream type "${stream}"` };
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return { ok: false, message: `unexpected timestamp "${time}"` };
  // The tag field came with CRI 1.11; older lines have the text right after the stream.
  let partial = false;
  let textStart = s2 + 1;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString('latin1');
  if (/^[PF](:|$)/.test(tag)) {
    partial = tag.startsWith('P');
    textStart = s3 < 0 ? line.length : s3 + 1;
  }
  return { ok: true, record: { time: normalizeTime(time), timeMs, stream, partial, text: line.subarray(textStart) } };
}

export interface ContainerLogOptions {
  follow: boolean;
  /** Only records at or after this time (ms since the epoch). */
  sinceMs?: number;
  tailLines?: number;
  timestamps: boolean;
  limitBytes?: number;
  /** Only one of the streams (default both). */
  stream?: LogStream;
}

export interface FollowOptions {
  /** Whether the container still runs; following stops once it does not and the file is drained. */
  isRunning(): Promise<boolean>;
  signal: AbortSignal;
  /** How often a followed file is checked for growth or rotation. */
  pollMs?: number;
}

const READ_CHUNK = 64 * 1024;

/** Formats records into the output and counts bytes against limitBytes. */
class LogWriter {
  private remaining: number;
  private pendingLine = Buffer.alloc(0);

  constructor(
    private readonly out: Writable,
    private readonly opts: ContainerLogOptions,
  ) {
    this.remaining = opts.limitBytes ?? Infinity;
  }

  get full(): boolean {
    return this.remaining <= 0;
  }

  /** Consumes raw file bytes; returns false once the byte limit is reached. */
  async feed(chunk: Buffer): Promise<boolean> {
    let data = this.pendingLine.length ? Buffer.concat([this.pendingLine, chunk]) : chunk;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      const line = data.subarray(0, nl);
      data = data.subarray(nl + 1);
      if (!(await this.record(line))) return false;
    }
    this.pendingLine = Buffer.from(data);
    return true;
  }

  private async record(line: Buffer): Promise<boolean> {
    const r = parseCRILogLine(line);
    if (!r.ok) return true;
    const rec = r.record;
    if (this.opts.sinceMs !== undefined && rec.timeMs < this.opts.sinceMs) return true;
    if (this.opts.stream && rec.stream !== this.opts.stream) return true;
    const parts: Buffer[] = [];
    if (this.opts.timestamps) parts.push(Buffer.from(rec.time + ' '));
    parts.push(rec.text);
    if (!rec.partial) parts.push(Buffer.from('\n'));
    let out = Buffer.concat(parts);
    if (out.length > this.remaining) out = out.subarray(0, this.remaining);
    this.remaining -= out.length;
    if (out.length && !this.out.write(out)) await drained(this.out);
    return !this.full;
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Where reading starts so that only the last `n` complete lines remain. */
async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let pos = size;
  let newlines = 0;
  // A final newline ends the last line rather than starting an empty one.
  let skipFinal = true;
  while (pos > 0) {
    const len = Math.min(READ_CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal) {
        skipFinal = false;
        continue;
      }
      newlines += 1;
      if (newlines === n) return pos + i + 1;
    }
  }
  return 0;
}

/**
 * Writes the log of the file at `path` to `out` (not ended). Resolves when
 * done: end of file without follow, container stopped, limit reached, or
 * the signal aborted.
 */
export async function writeContainerLogs(path: string, out: Writable, opts: ContainerLogOptions, follow?: FollowOptions): Promise<void> {
  const writer = new LogWriter(out, opts);
  let fh = await open(path, 'r');
  try {
    let ino = (await fh.stat()).ino;
    let pos = opts.tailLines !== undefined ? await tailOffset(fh, (await fh.stat()).size, opts.tailLines) : 0;
    const buf = Buffer.alloc(READ_CHUNK);
    const readToEnd = async (): Promise<boolean> => {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, pos);
        if (bytesRead === 0) return true;
        pos += bytesRead;
        if (!(await writer.feed(Buffer.from(buf.subarray(0, bytesRead))))) return false;
      }
    };
    if (!(await readToEnd()) || !opts.follow || !follow) return;
    const pollMs = follow.pollMs ?? 250;
    let lastRunningCheck = 0;
    while (!follow.signal.aborted && !out.destroyed) {
      await sleep(pollMs, follow.signal);
      if (follow.signal.aborted) return;
      if (!(await readToEnd())) return;
      const current = await stat(path).catch(() => undefined);
      if (current && current.ino !== ino) {
        // Rotated: drain the old file, continue with the new one from its start.
        if (!(await readToEnd())) return;
        await fh.close();
        fh = await open(path, 'r');
        ino = (await fh.stat()).ino;
        pos = 0;
        continue;
      }
      if (current && current.size < pos) pos = 0;
      const now = Date.now();
      if (now - lastRunningCheck >= 1000) {
        lastRunningCheck = now;
        if (!(await follow.isRunning())) {
          await readToEnd();
          return;
        }
      }
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
