/**
 * Runs the real `k8ts` command line for tests of what a user sees: exit code,
 * stdout and stderr. The environment variables k8ts reads (K8TS_*, KUBECONFIG)
 * are cleared unless a test sets them, so the caller's shell cannot change an
 * outcome.
 */
import { K8TS_BIN, type RunOptions, type RunResult, run } from './server-harness.js';

const CLEARED = ['K8TS_DATA_DIR', 'K8TS_KUBECONFIG_OUTPUT', 'K8TS_DATASTORE_ENDPOINT', 'K8TS_TOKEN', 'K8TS_TOKEN_FILE', 'K8TS_URL', 'K8TS_NODE_NAME', 'K8TS_LOG_LEVEL', 'KUBECONFIG'];

export function k8ts(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const env: Record<string, string> = Object.fromEntries(CLEARED.map((k) => [k, '']));
  return run(process.execPath, [K8TS_BIN, ...args], { timeoutMs: 30_000, ...opts, env: { ...env, ...opts.env } });
}

/** The one error line `logger.error` printed (klog format: `E<date> <time> "msg" k=v ...`). */
export function errorLine(stderr: string): string {
  return stderr.split('\n').find((l) => l.startsWith('E')) ?? '';
}
