/**
 * What a simulated container does, read from its command line: a tiny subset
 * of shell (`echo`, `sleep`, `exit`, `true`, `false`, redirects to stderr or
 * the termination log) is enough to script exits, logs and crash loops with
 * the same pod specs users run on real nodes. Anything else is taken to be a
 * server that runs until stopped, as `nginx` or `httpd -f` would.
 */

export type ScriptStep =
  | { kind: 'write'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'terminationMessage'; text: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'status'; code: number }
  | { kind: 'exit'; code: number }
  | { kind: 'forever' };

export interface Script {
  steps: ScriptStep[];
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);
const TERMINATION_LOG = '/dev/termination-log';

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Reads `argv` (command then args); an empty argv is the image's default: a server. */
export function parseScript(argv: string[]): Script {
  if (!argv.length) return { steps: [{ kind: 'forever' }] };
  const prog = basename(argv[0]!);
  if (SHELLS.has(prog) && argv[1] === '-c') return { steps: [...shellSteps(argv[2] ?? ''), { kind: 'exit', code: -1 }] };
  const steps = commandSteps(argv.map(unquote), { inShell: false });
  return { steps: [...steps, { kind: 'exit', code: -1 }] };
}

/** Splits a shell script into statements; `&&` chains are kept as one sequence, which is how scripted crashes read. */
function shellSteps(script: string): ScriptStep[] {
  if (/\bwhile\s+(true|:)\b|\bsleep\s+infinity\b|\btail\s+-f\b/.test(script)) {
    // An endless loop: keep the output before it, then run until stopped.
    const head = script.split(/\bwhile\b/)[0] ?? '';
    return [...shellSteps(head.replace(/\bsleep\s+infinity\b.*$/s, '')), { kind: 'forever' }];
  }
  const out: ScriptStep[] = [];
  for (const raw of script.split(/;|&&|\|\||\n/)) {
    const stmt = raw.trim();
    if (!stmt) continue;
    out.push(...commandSteps(tokenize(stmt), { inShell: true }));
  }
  return out;
}

function tokenize(stmt: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of stmt.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}

function unquote(s: string): string {
  return s.replace(/^(["'])(.*)\1$/, '$2');
}

function commandSteps(tokens: string[], opts: { inShell: boolean }): ScriptStep[] {
  const [cmd, ...rest] = tokens;
  switch (basename(cmd ?? '')) {
    case 'echo': {
      let stream: 'stdout' | 'stderr' = 'stdout';
      let toTermLog = false;
      const words: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        const w = rest[i]!;
        if (w === '>&2' || w === '1>&2') stream = 'stderr';
        else if ((w === '>' || w === '>>') && rest[i + 1] === TERMINATION_LOG) {
          toTermLog = true;
          i++;
        } else if (w === `>${TERMINATION_LOG}` || w === `>>${TERMINATION_LOG}`) toTermLog = true;
        else if (w !== '-n') words.push(w);
      }
      const text = words.join(' ');
      return [toTermLog ? { kind: 'terminationMessage', text } : { kind: 'write', stream, text }, { kind: 'status', code: 0 }];
    }
    case 'sleep': {
      const arg = rest[0] ?? '0';
      if (arg === 'infinity') return [{ kind: 'forever' }];
      const secs = Number(arg.replace(/s$/, ''));
      return [{ kind: 'sleep', ms: Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0 }, { kind: 'status', code: 0 }];
    }
    case 'exit': {
      const code = Number(rest[0] ?? '0');
      return [{ kind: 'exit', code: Number.isInteger(code) ? code & 255 : 2 }];
    }
    case 'true':
    case ':':
      return [{ kind: 'status', code: 0 }];
    case 'false':
      return [{ kind: 'status', code: 1 }];
    default:
      // Inside a shell an unknown statement is taken to succeed; as the
      // container's own command it is a long-running server.
      return opts.inShell ? [{ kind: 'status', code: 0 }] : [{ kind: 'forever' }];
  }
}

export interface ScriptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a script at once (exec): sleeps are skipped, a server-like command succeeds with no output. */
export function runScriptNow(script: Script): ScriptResult {
  let stdout = '';
  let stderr = '';
  let status = 0;
  for (const step of script.steps) {
    switch (step.kind) {
      case 'write':
        if (step.stream === 'stdout') stdout += step.text + '\n';
        else stderr += step.text + '\n';
        break;
      case 'status':
        status = step.code;
        break;
      case 'exit':
        return { stdout, stderr, exitCode: step.code < 0 ? status : step.code };
      case 'forever':
        return { stdout, stderr, exitCode: 0 };
      default:
        break;
    }
  }
  return { stdout, stderr, exitCode: status };
}
