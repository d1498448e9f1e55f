import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPEM: string;
  clientCertPEM: string;
  clientKeyPEM: string;
  /** Each defaults to "default", as k3s names them. */
  clusterName?: string;
  userName?: string;
  contextName?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The kubeconfig document (clientcmd v1) for one cluster, user and context. */
export function kubeconfigYAML(opts: KubeconfigOptions): string {
  const cluster = opts.clusterName ?? 'default';
  const user = opts.userName ?? 'default';
  const context = opts.contextName ?? 'default';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPEM) } }],
    users: [
      {
        name: user,
        user: { 'client-certificate-data': b64(opts.clientCertPEM), 'client-key-data': b64(opts.clientKeyPEM) },
      },
    ],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  });
}

/** Writes the kubeconfig readable by its owner only: it holds a private key. */
export async function writeKubeconfig(file: string, opts: KubeconfigOptions): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a reader never sees a half-written file.
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, kubeconfigYAML(opts), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
