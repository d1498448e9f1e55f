/**
 * Host commands (ip, iptables, mount, runc) as values: a non-zero exit is a
 * result the caller inspects, and `mustRun` turns it into an error carrying
 * the command's own message.
 *
 * Commands are started by a small helper process (this module run as a
 * script), not by the agent itself. Forking copies the parent's page tables
 * and blocks its event loop until the child has exec'd: from a server holding
 * hundreds of megabytes that costs several milliseconds per command, and a
 * pod start runs about ten commands, so fifty pods at once spent seconds of
 * the only thread that also serves the API. Forking from a process of a few
 * tens of megabytes is cheaper, and happens on another core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DetachedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

type Request =
  | { id: number; kind: 'run'; cmd: string; args: string[]; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }
  | { id: number; kind: 'detach'; cmd: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string };

type Reply = { id: number; result: CommandResult } | { id: number; pid: number } | { id: number; error: string };

const SERVE_FLAG = '--serve-commands';

/** Spawns one command and collects its output; what the helper does, and the fallback when it cannot run. */
function spawnAndCollect(cmd: string, args: string[], opts: RunOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    const finish = (code: number, extra = '') => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + extra });
    };
    child.on('error', (e) => finish(127, e.message));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
    child.stdin.end(opts.input ?? '');
  });
}

/** A detached child in its own session, outliving whoever started it. */
function spawnDetachedHere(cmd: string, args: string[], opts: DetachedOptions): number {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore', env: opts.env ?? process.env, cwd: opts.cwd });
  child.on('error', () => {});
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  return child.pid;
}

/** Newline-delimited JSON from a stream, one callback per message. */
function onLines(stream: NodeJS.ReadableStream, fn: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) fn(line);
    }
  });
}

/** The helper's side: serve requests on stdin until it closes (its parent is gone). */
function serve(): void {
  const reply = (r: Reply) => process.stdout.write(JSON.stringify(r) + '\n');
  onLines(process.stdin, (line) => {
    void direct(JSON.parse(line) as Request).then(reply);
  });
  // A terminal's Ctrl-C or a signal to the whole group must not cut the agent's commands short while it shuts down:
  // the helper ends when its parent closes the pipe.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => {});
  process.stdin.on('end', () => process.exit(0));
  process.stdout.on('error', () => process.exit(0));
}

/** A request served in this process. */
async function direct(req: Request): Promise<Reply> {
  if (req.kind === 'run') return { id: req.id, result: await spawnAndCollect(req.cmd, req.args, req) };
  try {
    return { id: req.id, pid: spawnDetachedHere(req.cmd, req.args, req) };
  } catch (e) {
    return { id: req.id, error: (e as Error).message };
  }
}

class CommandHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, { req: Request; resolve: (r: Reply) => void }>();
  private served = false;
  private nextId = 1;
  /** The helper could not be started here: commands are spawned directly. */
  private unavailable = false;

  request(req: Omit<Request, 'id'>): Promise<Reply> | undefined {
    const child = this.ensure();
    if (!child) return undefined;
    const id = this.nextId++;
    const full = { ...req, id } as Request;
    const done = new Promise<Reply>((resolve) => this.pending.set(id, { req: full, resolve }));
    if (this.pending.size === 1) this.setRef(child, true);
    child.stdin!.write(JSON.stringify(full) + '\n');
    return done;
  }

  private ensure(): ChildProcess | undefined {
    if (this.child || this.unavailable) return this.child;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [fileURLToPath(import.meta.url), SERVE_FLAG], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
    } catch {
      this.unavailable = true;
      return undefined;
    }
    if (child.pid === undefined) {
      this.unavailable = true;
      child.on('error', () => {});
      return undefined;
    }
    this.child = child;
    child.stdin!.on('error', () => {});
    onLines(child.stdout!, (line) => {
      const r = JSON.parse(line) as Reply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.served = true;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.setRef(child, false);
      p.resolve(r);
    });
    const gone = () => {
      if (this.child !== child) return;
      this.child = undefined;
      const pending = [...this.pending.values()];
      this.pending.clear();
      if (!this.served) {
        // It never answered (it cannot run here): nothing it was asked ran, so everything runs directly from now on.
        this.unavailable = true;
        for (const p of pending) void direct(p.req).then(p.resolve);
        return;
      }
      // What ran may have had its effect: the caller sees a failure, never a silent second run.
      for (const p of pending) p.resolve({ id: p.req.id, error: 'the command helper process exited' });
    };
    child.on('error', gone);
    // 'close', not 'exit': every reply it wrote has been read by then.
    child.on('close', gone);
    this.setRef(child, false);
    return child;
  }

  /** Only pending commands keep the agent's process alive, as directly spawned children did. */
  private setRef(child: ChildProcess, ref: boolean): void {
    for (const s of [child.stdout, child.stdin] as (Socket | null)[]) {
      if (ref) s?.ref();
      else s?.unref();
    }
    if (ref) child.ref();
    else child.unref();
  }
}

const helper = new CommandHelper();

export async function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const reply = helper.request({ kind: 'run', cmd, args, ...opts });
  if (!reply) return spawnAndCollect(cmd, args, opts);
  const r = await reply;
  if ('result' in r) return r.result;
  return { code: 128, stdout: '', stderr: 'error' in r ? r.error : 'unexpected reply' };
}

/** Starts a detached child (its own session, no stdio) and returns its pid. */
export async function spawnDetached(cmd: string, args: string[], opts: DetachedOptions = {}): Promise<number> {
  const reply = helper.request({ kind: 'detach', cmd, args, ...opts });
  if (!reply) return spawnDetachedHere(cmd, args, opts);
  const r = await reply;
  if ('pid' in r) return r.pid;
  throw new Error('error' in r ? r.error : `could not start ${cmd}`);
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    super(`${command}: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
}

export async function mustRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCommand(cmd, args, opts);
  if (r.code !== 0) throw new CommandError(`${cmd} ${args.join(' ')}`, r);
  return r.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === SERVE_FLAG) serve();
