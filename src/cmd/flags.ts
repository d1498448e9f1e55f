/**
 * Command-line flags in the k3s/urfave style: `--name value`, `--name=value`,
 * booleans without a value, repeatable string-slice flags. Unknown flags are
 * refused with k3s's text so scripts written for k3s read the same errors.
 */
import { type Logger, createLogger, isLogLevel } from '../machinery/log.js';
import { isIPv4, isIPv6 } from '../machinery/validation/names.js';

export type FlagKind = 'string' | 'bool' | 'int' | 'strings';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  usage: string;
  default?: string | boolean | number | string[];
  /** Environment variable that sets it (K8TS_...). */
  env?: string;
  aliases?: string[];
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseFlags(specs: FlagSpec[], argv: string[], env: NodeJS.ProcessEnv = process.env): { values: FlagValues; args: string[] } {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  const values: FlagValues = {};
  for (const s of specs) {
    const fromEnv = s.env ? env[s.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') values[s.name] = coerce(s, fromEnv, [], true);
    else values[s.name] = s.default;
  }
  const args: string[] = [];
  const seenSlices = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.kind === 'bool') {
      values[spec.name] = raw === undefined ? true : parseBool(spec.name, raw);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      raw = argv[++i]!;
    }
    if (spec.kind === 'strings') {
      const prev = seenSlices.has(spec.name) ? ((values[spec.name] as string[]) ?? []) : [];
      seenSlices.add(spec.name);
      values[spec.name] = coerce(spec, raw, prev, false);
    } else {
      values[spec.name] = coerce(spec, raw, [], false);
    }
  }
  return { values, args };
}

function parseBool(name: string, raw: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(raw)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(raw)) return false;
  throw new UsageError(`invalid boolean value "${raw}" for -${name}: parse error`);
}

function coerce(spec: FlagSpec, raw: string, prev: string[], fromEnv: boolean): string | boolean | number | string[] {
  switch (spec.kind) {
    case 'bool':
      return parseBool(spec.name, raw);
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid value "${raw}" for flag -${spec.name}: parse error`);
      return Number(raw);
    }
    case 'strings':
      return [...prev, ...(fromEnv ? raw.split(',') : raw.split(',')).map((s) => s.trim()).filter(Boolean)];
    default:
      return raw;
  }
}

/** An int flag that must be a TCP port (0: any free port). */
export function portFlag(values: FlagValues, name: string): number {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError(`invalid value "${String(values[name])}" for flag -${name}: must be a port number between 0 and 65535`);
  return v;
}

/** A string flag that, when set, must be an IPv4 or IPv6 address. */
export function ipFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (!isIPv4(String(v)) && !isIPv6(String(v))) throw new UsageError(`invalid value "${String(v)}" for flag -${name}: must be an IP address`);
  return String(v);
}

export function formatUsage(command: string, description: string, specs: FlagSpec[]): string {
  const lines = [`NAME:\n   k8ts ${command} - ${description}\n`, `USAGE:\n   k8ts ${command} [OPTIONS]\n`, 'OPTIONS:'];
  for (const s of specs) {
    const names = [s.name, ...(s.aliases ?? [])].map((n) => `--${n}`).join(', ');
    const value = s.kind === 'bool' ? '' : s.kind === 'int' ? ' value' : ' value';
    let d = '';
    if (s.default !== undefined && s.default !== false && !(Array.isArray(s.default) && !s.default.length)) d = ` (default: ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
    const env = s.env ? ` [$${s.env}]` : '';
    lines.push(`   ${(names + value).padEnd(38)} ${s.usage}${d}${env}`);
  }
  return lines.join('\n') + '\n';
}

/** `--log-level`, checked: the logger it asks for. */
export function loggerFlag(values: FlagValues): Logger {
  const level = String(values['log-level']);
  if (!isLogLevel(level)) throw new UsageError(`invalid value "${level}" for flag -log-level: must be one of error, warn, info, debug, trace`);
  return createLogger({ level });
}
