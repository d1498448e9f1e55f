/**
 * Node names are pinned as k3s pins them: every agent keeps a random node
 * password in its data directory and sends it when it joins. The first join
 * under a name records a hash of that password in Secret
 * `<node>.node-password.k8ts` in kube-system; later joins under the name must
 * present the same password, so a second machine cannot take over a node
 * (its pods, its secrets) by choosing the same name. Deleting the Node frees
 * the name: the janitor here removes the Secret when the Node goes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { StatusError } from '../../machinery/errors/status-error.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { systemContext } from '../context.js';
import type { APIServer } from '../server.js';

export const NODE_PASSWORD_NAMESPACE = 'kube-system';
export const NODE_PASSWORD_SECRET_TYPE = 'k8ts.io/node-password';

export function nodePasswordSecretName(nodeName: string): string {
  return `${nodeName}.node-password.k8ts`;
}

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `$scrypt$N=..,r=..,p=..$<salt>$<key>` (base64url), so parameters can change later without breaking old records. */
export async function hashNodePassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `$scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function nodePasswordMatches(password: string, hash: string): Promise<boolean> {
  const m = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return false;
  const want = Buffer.from(m[5]!, 'base64url');
  if (want.length !== KEY_LEN) return false;
  const got = await scrypt(password, Buffer.from(m[4]!, 'base64url'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(got, want);
}

/** Where the hashes live; the registry-backed one keeps them in Secrets. */
export interface NodePasswordRecords {
  /** The recorded hash for `nodeName`, or undefined. */
  get(nodeName: string): Promise<string | undefined>;
  /** Records `hash` unless a record already exists (then `exists`: someone else was first). */
  create(nodeName: string, hash: string): Promise<'created' | 'exists'>;
  /** Removes the record; absent is fine. */
  delete(nodeName: string): Promise<void>;
}

export type NodePasswordResult = { ok: true; recorded: boolean } | { ok: false; message: string };

export function nodePasswordRejected(nodeName: string): string {
  return `node password rejected for node "${nodeName}": another agent has already joined under this name. Delete the Node (kubectl delete node ${nodeName}) to free the name, or join with another --node-name`;
}

/** Accepts the password for `nodeName` if it matches the record, or records it when there is none. */
export async function ensureNodePassword(records: NodePasswordRecords, nodeName: string, password: string): Promise<NodePasswordResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const hash = await records.get(nodeName);
    if (hash !== undefined) return (await nodePasswordMatches(password, hash)) ? { ok: true, recorded: false } : { ok: false, message: nodePasswordRejected(nodeName) };
    // Two agents racing for a fresh name: one create wins, the other reads the winner's record.
    if ((await records.create(nodeName, await hashNodePassword(password))) === 'created') return { ok: true, recorded: true };
  }
  return { ok: false, message: `node password for node "${nodeName}" could not be recorded: its Secret keeps changing` };
}

const isReason = (err: unknown, reason: string) => err instanceof StatusError && err.reason === reason;

/** Records in Secrets, written through the API server's own handlers (admission, validation, managedFields). */
export function registryNodePasswordRecords(server: () => APIServer | undefined): NodePasswordRecords {
  const secrets = () => {
    const s = server();
    const ep = s?.registry.endpoints.get('', 'v1', 'secrets');
    if (!s || !ep) throw new StatusError(503, 'ServiceUnavailable', 'the API server is not ready to record node passwords');
    return { s, ep };
  };
  const ctx = (s: APIServer) => ({ ...systemContext(s.opts.clock, { namespace: NODE_PASSWORD_NAMESPACE, fieldManager: 'k8ts-node-join' }), warnings: [] });
  return {
    async get(nodeName) {
      const { ep } = secrets();
      try {
        const secret = (await ep.store.get(NODE_PASSWORD_NAMESPACE, nodePasswordSecretName(nodeName))).object as KubeObject & { data?: Record<string, string> };
        const hash = secret.data?.hash;
        return hash === undefined ? '' : Buffer.from(hash, 'base64').toString('utf8');
      } catch (err) {
        if (isReason(err, 'NotFound')) return undefined;
        throw err;
      }
    },
    async create(nodeName, hash) {
      const { s, ep } = secrets();
      const secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: nodePasswordSecretName(nodeName), namespace: NODE_PASSWORD_NAMESPACE },
        type: NODE_PASSWORD_SECRET_TYPE,
        immutable: true,
        data: { hash: Buffer.from(hash, 'utf8').toString('base64') },
      };
      try {
        await s.handlers.createFromValue(ctx(s), ep, NODE_PASSWORD_NAMESPACE, secret);
        return 'created';
      } catch (err) {
        if (isReason(err, 'AlreadyExists')) return 'exists';
        throw err;
      }
    },
    async delete(nodeName) {
      const { s, ep } = secrets();
      try {
        await s.handlers.deleteOne(ctx(s), ep, NODE_PASSWORD_NAMESPACE, nodePasswordSecretName(nodeName), {});
      } catch (err) {
        if (!isReason(err, 'NotFound')) throw err;
      }
    },
  };
}

export interface NodePasswordJanitorOptions {
  server: APIServer;
  records: NodePasswordRecords;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Removes a node's password record when its Node is deleted, so the name can
 * be joined again (k3s does this in its node controller). Runs in every API
 * server; deleting an absent record is a no-op, so several may race.
 */
export function runNodePasswordJanitor(o: NodePasswordJanitorOptions): void {
  const nodes = o.server.registry.storeFor('', 'nodes');
  if (!nodes) throw new Error('nodes are not served');
  const start = () => {
    if (o.signal.aborted) return;
    nodes.watch({
      namespace: '',
      resourceVersion: '0',
      signal: o.signal,
      onEvents: (events) => {
        for (const ev of events) {
          if (ev.type !== 'DELETED') continue;
          const name = ev.object.object.metadata.name ?? '';
          if (!name) continue;
          o.records.delete(name).then(
            () => o.logger.debug('node password record removed with its node', { node: name }),
            (err: unknown) => o.logger.warn('cannot remove node password record', { node: name, err }),
          );
        }
      },
      // The watch ended (history compacted, server stopping): start over from the current state.
      onError: () => setTimeout(start, 1000).unref(),
    });
  };
  start();
}
