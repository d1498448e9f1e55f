/**
 * The per-container shim: a detached `/bin/sh` (its own session, so it
 * outlives the agent) that runs `runc run` in the foreground and, when runc
 * returns, writes the exit code and the memory cgroup's fail count to the
 * `exit` file.
 *
 * Why this shape: a container must keep running, and keep somewhere to write
 * its output, while the agent restarts. `runc run` in the foreground is the
 * container's parent and reaper, so its exit status is the container's (a
 * detached `runc create` leaves the container an orphan whose status nobody
 * can collect). The container's stdout and stderr are plain files opened by
 * the shell, not pipes into the agent: no reader to lose, no SIGPIPE, and the
 * agent converts them to CRI lines (cri-log.ts) at its own pace and resumes
 * after a restart. A shell costs ~1 MB per container where a Node shim would
 * cost ~40 MB. Terminals go through util-linux `script`, which gives runc the
 * controlling terminal it insists on in the foreground; runc then relays
 * between that and the container's own pty.
 */
import { readFileSync } from 'node:fs';
import { spawnDetached } from './run-command.js';

export interface ShimFiles {
  bundle: string;
  runcRoot: string;
  runcLog: string;
  pidFile: string;
  /** A FIFO for containers with stdin, else /dev/null. */
  stdin: string;
  stdout: string;
  stderr: string;
  exit: string;
  /** The memory cgroup directory whose memory.failcnt tells an OOM kill. */
  memoryCgroup: string;
}

export interface ShimOptions {
  runc: string;
  id: string;
  files: ShimFiles;
  tty: boolean;
  /** Keep stdin open across attach sessions (stdin without stdinOnce): the shim holds a writer so the container never reads EOF. */
  holdStdin: boolean;
}

export const SHIM_NAME = 'k8ts-shim';

const RUNC_RUN = '"$K8TS_RUNC" --root "$K8TS_RUNC_ROOT" --log "$K8TS_RUNC_LOG" --log-format json run --bundle "$K8TS_BUNDLE" --pid-file "$K8TS_PID_FILE" "$K8TS_ID"';

const SCRIPT = [
  'if [ -n "$K8TS_HOLD_STDIN" ]; then exec 3<>"$K8TS_STDIN"; fi',
  'if [ -n "$K8TS_TTY" ]; then',
  // `stty raw -echo` on script's terminal: the container's own pty does the echoing.
  `  SHELL=/bin/sh script -qefc 'stty raw -echo 2>/dev/null; exec ${RUNC_RUN.replace(/'/g, "'\\''")}' /dev/null <"$K8TS_STDIN" >>"$K8TS_STDOUT" 2>>"$K8TS_STDERR" 3>&-`,
  'else',
  `  ${RUNC_RUN} <"$K8TS_STDIN" >>"$K8TS_STDOUT" 2>>"$K8TS_STDERR" 3>&-`,
  'fi',
  'code=$?',
  'fail=$(cat "$K8TS_MEMCG/memory.failcnt" 2>/dev/null || echo 0)',
  'printf \'%s %s\\n\' "$code" "$fail" >"$K8TS_EXIT.tmp" && mv "$K8TS_EXIT.tmp" "$K8TS_EXIT"',
].join('\n');

/** Starts the shim and returns its pid; the container runs once runc has written the pid file. */
export function spawnShim(opts: ShimOptions): Promise<number> {
  const f = opts.files;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    K8TS_RUNC: opts.runc,
    K8TS_RUNC_ROOT: f.runcRoot,
    K8TS_RUNC_LOG: f.runcLog,
    K8TS_BUNDLE: f.bundle,
    K8TS_PID_FILE: f.pidFile,
    K8TS_ID: opts.id,
    K8TS_STDIN: f.stdin,
    K8TS_STDOUT: f.stdout,
    K8TS_STDERR: f.stderr,
    K8TS_EXIT: f.exit,
    K8TS_MEMCG: f.memoryCgroup,
    K8TS_TTY: opts.tty ? '1' : '',
    K8TS_HOLD_STDIN: opts.holdStdin ? '1' : '',
  };
  return spawnDetached('/bin/sh', ['-c', SCRIPT, SHIM_NAME, opts.id], { env, cwd: '/' }).catch((e: unknown) => {
    throw new Error('could not start the container shim', { cause: e });
  });
}

/** Whether `pid` is still this container's shim (and not a recycled pid). */
export function shimAlive(pid: number | undefined, id: string): boolean {
  if (!pid) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(SHIM_NAME) && argv.includes(id);
  } catch {
    return false;
  }
}

export interface ExitRecord {
  code: number;
  /** memory.failcnt at exit. */
  memoryFailCount: number;
}

export function parseExitFile(text: string): ExitRecord | undefined {
  const m = /^(-?\d+)\s+(\d+)/.exec(text.trim());
  if (!m) return undefined;
  return { code: Number(m[1]), memoryFailCount: Number(m[2]) };
}
