/**
 * Writes a set of files into a volume directory so that a reader inside a
 * container never sees a half-updated set: the files go into a fresh
 * timestamped directory, a `..data` symlink is swapped to it with one
 * rename, and every user-visible top-level name is a symlink through
 * `..data`. Running pods thus see config map, secret and downward API
 * updates all at once. Unchanged payloads are not rewritten.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, chmod, chown, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** Group to own the file (the pod's fsGroup). */
  gid?: number;
}

export type Payload = Map<string, FileProjection>;

export type WriteResult = { ok: true; changed: boolean } | { ok: false; message: string };

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

/** Refuses payload paths that could leave the volume or collide with the writer's own names. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return `invalid path: must not be empty: ""`;
  if (path.isAbsolute(p)) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH_LENGTH) return `invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`;
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_FILE_NAME_LENGTH) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`;
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

function cleanPayload(payload: Payload): { ok: true; payload: Payload } | { ok: false; message: string } {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    const problem = validatePayloadPath(p);
    if (problem) return { ok: false, message: problem };
    out.set(path.posix.normalize(p), f);
  }
  return { ok: true, payload: out };
}

function timestampName(now: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const ts = `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
  return `..${ts}.${randomBytes(5).toString('hex')}`;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Every regular file below dir, as relative paths. */
async function walkFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...(await walkFiles(path.join(dir, ent.name), rel)));
    else out.push(rel);
  }
  return out;
}

export class AtomicWriter {
  constructor(
    readonly targetDir: string,
    private readonly opts: { now?: () => Date } = {},
  ) {}

  async write(input: Payload): Promise<WriteResult> {
    const cleaned = cleanPayload(input);
    if (!cleaned.ok) return cleaned;
    const payload = cleaned.payload;
    try {
      await mkdir(this.targetDir, { recursive: true });
      const dataLink = path.join(this.targetDir, DATA_DIR);
      let oldTsName: string | undefined;
      try {
        oldTsName = await readlink(dataLink);
      } catch {
        oldTsName = undefined;
      }
      const oldTsDir = oldTsName ? path.join(this.targetDir, oldTsName) : undefined;
      const oldFiles = oldTsDir && (await exists(oldTsDir)) ? await walkFiles(oldTsDir) : [];

      const changed = !oldTsDir || !(await this.matches(payload, oldTsDir, oldFiles));
      if (changed) {
        const tsName = timestampName(this.opts.now?.() ?? new Date());
        const tsDir = path.join(this.targetDir, tsName);
        await mkdir(tsDir, { mode: 0o755 });
        for (const [rel, f] of payload) {
          const file = path.join(tsDir, rel);
          await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
          await writeFile(file, f.data, { mode: f.mode });
          // writeFile's mode is filtered by the umask; the payload's mode is exact.
          await chmod(file, f.mode);
          if (f.gid !== undefined) await chown(file, -1, f.gid);
        }
        const tmpLink = path.join(this.targetDir, DATA_DIR_TMP);
        await rm(tmpLink, { force: true });
        await symlink(tsName, tmpLink);
        await rename(tmpLink, dataLink);
      }

      const newTop = new Set([...payload.keys()].map((p) => p.split('/')[0]!));
      for (const top of newTop) {
        const visible = path.join(this.targetDir, top);
        if (!(await exists(visible))) await symlink(path.join(DATA_DIR, top), visible);
      }
      const oldTop = new Set(oldFiles.map((p) => p.split('/')[0]!));
      for (const top of oldTop) {
        if (!newTop.has(top)) await rm(path.join(this.targetDir, top), { force: true });
      }
      if (changed && oldTsDir && oldTsName !== undefined) await rm(oldTsDir, { recursive: true, force: true });
      return { ok: true, changed };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async matches(payload: Payload, dir: string, files: string[]): Promise<boolean> {
    if (files.length !== payload.size) return false;
    for (const [rel, f] of payload) {
      const file = path.join(dir, rel);
      try {
        const st = await stat(file);
        if ((st.mode & 0o7777) !== f.mode) return false;
        if (f.gid !== undefined && st.gid !== f.gid) return false;
        if (!(await readFile(file)).equals(f.data)) return false;
      } catch {
        return false;
      }
    }
    return true;
  }
}
