/**
 * Chooses and opens a backend from `--datastore-endpoint`, k3s style: empty or
 * `sqlite` for the embedded default under the data dir, `sqlite:///abs/path.db`
 * for an explicit file, `memory` for throwaway state, and a comma-separated
 * `http(s)://` list for etcd. Anything else is refused.
 */
import path from 'node:path';
import type { Clock } from '../machinery/clock.js';
import type { Logger } from '../machinery/log.js';
import type { Backend } from './interface.js';
import { parseEndpoints } from './etcd/endpoints.js';
import { MemoryBackend } from './memory/memory-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';

export type BackendEndpoint =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'etcd'; endpoints: string[] };

export interface OpenBackendOptions {
  endpoint?: string;
  dataDir: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  logger?: Logger;
  clock?: Clock;
}

const HELP = 'want "sqlite", "sqlite:///abs/path.db", "memory" or "http(s)://host:port[,...]" for etcd';

export function parseEndpoint(endpoint: string | undefined, dataDir: string): BackendEndpoint {
  const e = (endpoint ?? '').trim();
  if (e === '' || e === 'sqlite') return { kind: 'sqlite', path: path.join(dataDir, 'db', 'state.db') };
  if (e === 'memory') return { kind: 'memory' };
  if (e.startsWith('sqlite://')) {
    const file = e.slice('sqlite://'.length);
    if (!file.startsWith('/')) throw new Error(`invalid datastore endpoint ${JSON.stringify(e)}: the sqlite path must be absolute (sqlite:///abs/path.db)`);
    if (file.endsWith('/')) throw new Error(`invalid datastore endpoint ${JSON.stringify(e)}: the sqlite path names a directory, not a file`);
    return { kind: 'sqlite', path: file };
  }
  if (/^https?:\/\//.test(e)) {
    try {
      return { kind: 'etcd', endpoints: parseEndpoints(e).map((x) => x.url) };
    } catch (err) {
      throw new Error(`invalid datastore endpoint ${JSON.stringify(e)}: ${(err as Error).message}`, { cause: err });
    }
  }
  throw new Error(`unsupported datastore endpoint ${JSON.stringify(e)}: ${HELP}`);
}

export async function openBackend(opts: OpenBackendOptions): Promise<Backend> {
  const target = parseEndpoint(opts.endpoint, opts.dataDir);
  switch (target.kind) {
    case 'memory':
      return new MemoryBackend({ clock: opts.clock });
    case 'sqlite':
      return new SqliteBackend({ path: target.path, clock: opts.clock, logger: opts.logger });
    case 'etcd': {
      // gRPC and the protobuf runtime load only when etcd is used.
      const { EtcdBackend } = await import('./etcd/etcd-backend.js');
      const backend = new EtcdBackend({ endpoints: target.endpoints, caFile: opts.caFile, certFile: opts.certFile, keyFile: opts.keyFile, logger: opts.logger, clock: opts.clock });
      try {
        // Fail at startup, not on the first request, when etcd is unreachable.
        await backend.currentRevision();
      } catch (err) {
        backend.dispose();
        throw new Error(`cannot reach etcd at ${target.endpoints.join(',')}: ${(err as Error).message}`, { cause: err });
      }
      return backend;
    }
  }
}
