/**
 * Structured logs with verbosity levels. Lines are JSON-free, klog-like text:
 * `I1122 01:02:03.456 msg key=value`. Callers pass object refs, never objects.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';
const order: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface Logger {
  error(msg: string, kv?: Record<string, unknown>): void;
  warn(msg: string, kv?: Record<string, unknown>): void;
  info(msg: string, kv?: Record<string, unknown>): void;
  debug(msg: string, kv?: Record<string, unknown>): void;
  trace(msg: string, kv?: Record<string, unknown>): void;
  with(kv: Record<string, unknown>): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LogSink {
  write(line: string): void;
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(line + '\n') };

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
}

export function isLogLevel(s: string): s is LogLevel {
  return s in order;
}

export function createLogger(opts: { level?: LogLevel; sink?: LogSink; base?: Record<string, unknown> } = {}): Logger {
  const level = order[opts.level ?? 'info'];
  const sink = opts.sink ?? stderrSink;
  const base = opts.base ?? {};
  const emit = (l: LogLevel, msg: string, kv?: Record<string, unknown>) => {
    if (order[l] > level) return;
    const d = new Date();
    const stamp = `${l[0]!.toUpperCase()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 23)}`;
    const all = { ...base, ...kv };
    const pairs = Object.entries(all).map(([k, v]) => `${k}=${fmtValue(v)}`);
    sink.write([stamp, JSON.stringify(msg), ...pairs].join(' '));
  };
  const logger: Logger = {
    error: (m, kv) => emit('error', m, kv),
    warn: (m, kv) => emit('warn', m, kv),
    info: (m, kv) => emit('info', m, kv),
    debug: (m, kv) => emit('debug', m, kv),
    trace: (m, kv) => emit('trace', m, kv),
    with: (kv) => createLogger({ level: opts.level, sink, base: { ...base, ...kv } }),
    enabled: (l) => order[l] <= level,
  };
  return logger;
}

export const silentLogger: Logger = createLogger({ level: 'error', sink: { write: () => {} } });
