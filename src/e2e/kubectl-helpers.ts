/**
 * Small pieces the kubectl end-to-end files share: namespaces and objects
 * created through `kubectl apply` (JSON bodies, so they do not depend on the
 * typed clients' protobuf), polling with a deadline, a long-running kubectl in
 * the background (watches, waits), and temp dirs that clean themselves up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type TestServer, kubectlPath } from '../testing/server-harness.js';

/** Creates (or leaves alone) a namespace. */
export async function ensureNamespace(s: TestServer, name: string): Promise<void> {
  await applyObjects(s, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
}

/**
 * Waits until the controllers have given each namespace what upstream gives
 * every namespace: the `default` ServiceAccount and the `kube-root-ca.crt`
 * ConfigMap. Tests that list a whole namespace, or watch it from a
 * resourceVersion, wait for this first so those objects cannot arrive midway.
 */
export async function waitForNamespaceDefaults(s: TestServer, ...namespaces: string[]): Promise<void> {
  for (const ns of namespaces) {
    await pollUntil(`the default ServiceAccount and kube-root-ca.crt in ${ns}`, async () => ((await s.kubectl(['get', '-n', ns, 'serviceaccount/default', 'configmap/kube-root-ca.crt', '-o', 'name'])).code === 0 ? true : undefined));
  }
}

/** `kubectl apply -f -` of plain objects as one JSON List; returns kubectl's stdout. */
export async function applyObjects(s: TestServer, objects: object[], opts: { namespace?: string } = {}): Promise<string> {
  const ns = opts.namespace ? ['-n', opts.namespace] : [];
  return s.k(['apply', ...ns, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
}

/** A minimal deployment of one nginx container. */
export function deployment(name: string, opts: { replicas?: number; image?: string } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: opts.image ?? 'nginx:1.25' }] } },
    },
  };
}

/** A pod that stays Pending: no scheduler binds it unless `nodeName` is given. */
export function pod(name: string, opts: { nodeName?: string } = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(opts.nodeName ? { nodeName: opts.nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } };
}

/** Calls `probe` until it returns a value other than undefined, or fails after the deadline. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** A kubectl that keeps running (get -w, wait) while the test makes changes. */
export class BackgroundKubectl {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(s: TestServer, args: string[]) {
    const bin = kubectlPath();
    if (!bin) throw new Error('kubectl not found');
    this.child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: s.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  /** Waits until stdout matches, failing with what was printed so far. */
  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<void> {
    await pollUntil(`kubectl output matching ${re}; got:\n${this.stdout}${this.stderr}`, () => (re.test(this.stdout) ? true : undefined), { timeoutMs, intervalMs: 50 });
  }

  /** Ends the process (if still running) and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** A temp dir removed by `dispose()`. */
export function tempDir(prefix: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A kubectl table as records keyed by header. Columns are cut at the header's
 * column starts (kubectl aligns every cell there), so empty cells stay empty.
 */
export function parseTable(out: string): Record<string, string>[] {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift() ?? '';
  const cols = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], start: m.index }));
  return lines.map((line) => {
    const row: Record<string, string> = {};
    cols.forEach((c, i) => (row[c.name] = line.slice(c.start, cols[i + 1]?.start ?? line.length).trim()));
    return row;
  });
}
