import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';

/** k3s's default: /var/lib/k8ts for root, ~/.k8ts otherwise. */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : path.join(os.homedir(), '.k8ts');
}

export type DataDirRole = 'server' | 'agent';

export type DataDirLock = { ok: true; release(): void } | { ok: false; message: string };

/**
 * Holds `<dir>/<role>.lock` for as long as the process runs, so that a second
 * server (or agent) on the same data dir is refused instead of sharing its
 * state behind its back. The lock is SQLite's (a POSIX advisory lock on the
 * file), which the kernel drops when the process ends, kill -9 included: a
 * crash never leaves a stale lock behind. A server and an agent may share a
 * data dir, as k3s's do, and hold one lock each.
 */
export function lockDataDir(dir: string, role: DataDirRole): DataDirLock {
  const file = path.join(dir, `${role}.lock`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db?.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      return { ok: false, message: `the data dir ${dir} is in use by another k8ts ${role}: stop it first, or pick another --data-dir` };
    }
    return { ok: false, message: `cannot lock the data dir ${dir} (${file}): ${(err as Error).message}` };
  }
  const held = db;
  return {
    ok: true,
    release: () => {
      if (held.open) held.close();
    },
  };
}
