/**
 * `k8ts explain-schedule -n NS POD`: for every node, which scheduler plugin
 * rejects the pod and why, or what each plugin scores it — the answer to
 * "why is my pod Pending / why did it land there".
 */
import os from 'node:os';
import path from 'node:path';
import { HTTP2Transport } from '../client/rest/http2-transport.js';
import { loadKubeconfigFile } from '../client/rest/kubeconfig.js';
import { RESTClient } from '../client/rest/rest-client.js';
import { isStatusError } from '../machinery/errors/status-error.js';
import { explainSchedule } from '../scheduler/explain-schedule.js';
import { type FlagSpec, UsageError, formatUsage, parseFlags } from './flags.js';

const flags: FlagSpec[] = [
  { name: 'namespace', aliases: ['n'], kind: 'string', usage: 'Namespace of the pod (default: the kubeconfig context namespace)' },
  { name: 'kubeconfig', kind: 'string', usage: 'Kubeconfig of the cluster', env: 'KUBECONFIG' },
  { name: 'help', aliases: ['h'], kind: 'bool', usage: 'show help', default: false },
];

/** What kubectl prints for the same failure: the server's Status, a refused connection, or the error itself. */
function describeError(err: unknown, server: string): string {
  if (isStatusError(err)) return `Error from server${err.reason ? ` (${err.reason})` : ''}: ${err.message}`;
  for (let e = err as (Error & { code?: string; cause?: unknown }) | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'ECONNREFUSED') return `The connection to the server ${new URL(server).host} was refused - did you specify the right host or port?`;
  }
  return `error: ${(err as Error).message}`;
}

export async function runExplainSchedule(argv: string[]): Promise<number> {
  const { values, args } = parseFlags(flags, argv);
  if (values.help) {
    process.stdout.write(formatUsage('explain-schedule', 'Explain, node by node, where the scheduler can place a pod and why', flags));
    return 0;
  }
  if (args.length !== 1) throw new UsageError('expected exactly one pod name');
  const file = String(values.kubeconfig ?? path.join(os.homedir(), '.kube', 'config')).split(path.delimiter)[0]!;
  const kc = loadKubeconfigFile(file);
  if (kc.kind === 'error') {
    process.stderr.write(`error: ${kc.message}\n`);
    return 1;
  }
  const transport = new HTTP2Transport(kc.config);
  try {
    const out = await explainSchedule(new RESTClient(transport), String(values.namespace ?? kc.namespace ?? 'default'), args[0]!);
    process.stdout.write(out.endsWith('\n') ? out : out + '\n');
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err, kc.config.server)}\n`);
    return 1;
  } finally {
    transport.close();
  }
}
