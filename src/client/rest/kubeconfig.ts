/**
 * Loads a kubeconfig (clientcmd v1) and resolves one context to a
 * `RESTConfig`: inline `*-data` fields are base64, file fields are read
 * relative to the kubeconfig's own directory, as kubectl does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isObject } from '../../machinery/meta/types.js';
import type { RESTConfig } from './rest-config.js';

export type KubeconfigResult = { kind: 'ok'; config: RESTConfig; context: string; namespace: string } | { kind: 'error'; message: string };

export interface KubeconfigLoadOptions {
  /** Context to use instead of `current-context`. */
  context?: string;
  /** Directory relative file paths are resolved against (the file's directory when loading a file). */
  baseDir?: string;
}

type Named = { name?: unknown } & Record<string, unknown>;

function findNamed(list: unknown, name: string, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as Named[]).find((e) => isObject(e) && e.name === name);
  const inner = entry?.[field];
  return isObject(inner) ? inner : undefined;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function loadKubeconfigFile(file: string, opts: KubeconfigLoadOptions = {}): KubeconfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { kind: 'error', message: `cannot read kubeconfig ${file}: ${(err as Error).message}` };
  }
  return parseKubeconfig(text, { baseDir: path.dirname(path.resolve(file)), ...opts });
}

export function parseKubeconfig(text: string, opts: KubeconfigLoadOptions = {}): KubeconfigResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { kind: 'error', message: `invalid kubeconfig: ${(err as Error).message}` };
  }
  if (!isObject(doc)) return { kind: 'error', message: 'invalid kubeconfig: not a mapping' };
  const contextName = opts.context ?? (typeof doc['current-context'] === 'string' ? doc['current-context'] : '');
  if (!contextName) return { kind: 'error', message: 'invalid configuration: no configuration has been provided' };
  const context = findNamed(doc.contexts, contextName, 'context');
  if (!context) return { kind: 'error', message: `context was not found for specified context: ${contextName}` };
  const clusterName = str(context, 'cluster') ?? '';
  const cluster = findNamed(doc.clusters, clusterName, 'cluster');
  if (!cluster) return { kind: 'error', message: `cluster "${clusterName}" not found in kubeconfig` };
  const userName = str(context, 'user');
  const user = userName ? (findNamed(doc.users, userName, 'user') ?? {}) : {};
  const server = str(cluster, 'server');
  if (!server) return { kind: 'error', message: `cluster "${clusterName}" has no server` };

  const baseDir = opts.baseDir ?? process.cwd();
  const problems: string[] = [];
  const material = (o: Record<string, unknown>, dataKey: string, fileKey: string): string | undefined => {
    const data = str(o, dataKey);
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const file = str(o, fileKey);
    if (!file) return undefined;
    try {
      return readFileSync(path.resolve(baseDir, file), 'utf8');
    } catch (err) {
      problems.push(`unable to read ${fileKey} ${file}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const config: RESTConfig = {
    server,
    caPEM: material(cluster, 'certificate-authority-data', 'certificate-authority'),
    certPEM: material(user, 'client-certificate-data', 'client-certificate'),
    keyPEM: material(user, 'client-key-data', 'client-key'),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: str(cluster, 'tls-server-name'),
  };
  const token = str(user, 'token') ?? material(user, '', 'tokenFile')?.trim();
  if (token) config.bearerToken = token;
  if (problems.length) return { kind: 'error', message: problems.join('; ') };
  return { kind: 'ok', config, context: contextName, namespace: str(context, 'namespace') ?? 'default' };
}
