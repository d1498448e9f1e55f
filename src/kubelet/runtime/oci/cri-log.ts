/**
 * Container output -> the CRI log format kubelet reads
 * (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`). The container writes its
 * raw stdout and stderr into plain files that belong to no process of the
 * agent (see shim.ts); a LogPump turns new bytes into CRI lines at the log
 * path and records in a small offsets file how far it got, so a restarted
 * agent continues where the old one stopped and no line is lost while no
 * agent runs (those lines get the time they were converted).
 */
import { appendFileSync, closeSync, existsSync, type FSWatcher, fstatSync, mkdirSync, openSync, readSync, watch } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file.js';

export type LogStream = 'stdout' | 'stderr';

/** Longer lines are split into `P` (partial) records, as containerd does. */
export const MAX_LOG_LINE = 16 * 1024;

/** Fixed nine fraction digits: `2024-01-01T00:00:00.000000000Z`. */
export function criTimestamp(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const iso = new Date(whole).toISOString();
  const micros = Math.round((epochMs - whole) * 1000);
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(micros).padStart(3, '0')}000Z`;
}

/**
 * Formats the complete lines of `data` (and, when `final`, the rest) into CRI
 * records. Returns the text and how many bytes of `data` it used; the unused
 * tail is an unfinished line to format once more bytes arrive.
 */
export function formatCriLines(stream: LogStream, data: Buffer, opts: { final: boolean; timestamp: string; maxLine?: number }): { text: string; consumed: number } {
  const max = opts.maxLine ?? MAX_LOG_LINE;
  const out: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    const nl = data.indexOf(0x0a, pos);
    const end = nl < 0 ? data.length : nl;
    if (end - pos > max) {
      out.push(`${opts.timestamp} ${stream} P ${data.subarray(pos, pos + max).toString()}\n`);
      pos += max;
      continue;
    }
    if (nl < 0 && !opts.final) break;
    let line = data.subarray(pos, end);
    // A terminal ends lines with \r\n; the record already ends the line.
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    out.push(`${opts.timestamp} ${stream} F ${line.toString()}\n`);
    pos = nl < 0 ? data.length : nl + 1;
  }
  return { text: out.join(''), consumed: pos };
}

interface Offsets {
  stdout: number;
  stderr: number;
  done?: boolean;
}

export interface LogPumpOptions {
  /** Raw output files, and the directory to watch for their changes. */
  dir: string;
  sources: { file: string; stream: LogStream }[];
  target: string;
  offsetsFile: string;
  /** True once the container has exited and written everything it will. */
  exited(): boolean;
  now?: () => number;
  /** Safety net for missed change events. */
  pollMs?: number;
}

type Listener = (stream: LogStream, chunk: Buffer) => void;

export class LogPump {
  private readonly offsets: Offsets;
  private readonly read: Record<LogStream, number>;
  private readonly pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private readonly listeners = new Set<Listener>();
  private readonly doneWaiters: (() => void)[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;

  constructor(private readonly opts: LogPumpOptions) {
    this.offsets = LogPump.readOffsets(opts.offsetsFile);
    this.read = { stdout: this.offsets.stdout, stderr: this.offsets.stderr };
  }

  static readOffsets(file: string): Offsets {
    return readJsonFile<Offsets>(file) ?? { stdout: 0, stderr: 0 };
  }

  get done(): boolean {
    return this.offsets.done === true;
  }

  start(): this {
    if (this.done) return this;
    try {
      this.watcher = watch(this.opts.dir, () => this.schedule());
      this.watcher.on('error', () => {});
    } catch {}
    this.timer = setInterval(() => this.schedule(), this.opts.pollMs ?? 500);
    this.timer.unref();
    this.schedule();
    return this;
  }

  /** Raw output from now on, for attach. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Settles once the container exited and its last output is in the log. */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.pump();
    });
  }

  /** Converts whatever is new; synchronous so two pumps never interleave. */
  pump(): void {
    if (this.done) return;
    // Checked before reading: everything written before the exit is then on disk.
    let final = this.opts.exited();
    const stamp = criTimestamp((this.opts.now ?? (() => performance.timeOrigin + performance.now()))());
    let changed = false;
    const reads = this.opts.sources.map((src) => readFrom(src.file, this.read[src.stream], READ_CHUNK));
    const more = reads.some((r) => r.more);
    if (more) final = false;
    for (const [i, src] of this.opts.sources.entries()) {
      const chunk = reads[i]!.buf;
      if (chunk.length > 0) {
        this.read[src.stream] += chunk.length;
        for (const l of this.listeners) l(src.stream, chunk);
        this.pending[src.stream] = Buffer.concat([this.pending[src.stream], chunk]);
      }
      const { text, consumed } = formatCriLines(src.stream, this.pending[src.stream], { final, timestamp: stamp });
      if (text) {
        mkdirSync(path.dirname(this.opts.target), { recursive: true });
        appendFileSync(this.opts.target, text);
      }
      if (consumed > 0) {
        this.pending[src.stream] = this.pending[src.stream].subarray(consumed);
        this.offsets[src.stream] += consumed;
        changed = true;
      }
    }
    if (final) {
      this.offsets.done = true;
      changed = true;
    }
    if (changed) writeJsonFile(this.opts.offsetsFile, this.offsets);
    if (final) {
      this.stop();
      for (const w of this.doneWaiters.splice(0)) w();
    } else if (more) this.schedule();
  }
}

/** At most this much per file and round, so a chatty container cannot stall the agent. */
const READ_CHUNK = 1 << 20;

function readFrom(file: string, offset: number, max: number): { buf: Buffer; more: boolean } {
  if (!existsSync(file)) return { buf: Buffer.alloc(0), more: false };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { buf: Buffer.alloc(0), more: false };
    const buf = Buffer.alloc(Math.min(max, size - offset));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return { buf: buf.subarray(0, got), more: offset + got < size };
  } finally {
    closeSync(fd);
  }
}

