/**
 * hostPath type checks: what must exist at the path before the volume is
 * mounted, creating it for the *OrCreate types.
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, stat } from 'node:fs/promises';

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

export type CheckResult = { ok: true } | { ok: false; message: string };

type Kind = 'missing' | 'dir' | 'file' | 'socket' | 'char' | 'block' | 'other';

async function kindOf(p: string): Promise<Kind> {
  try {
    const st = await stat(p);
    if (st.isDirectory()) return 'dir';
    if (st.isFile()) return 'file';
    if (st.isSocket()) return 'socket';
    if (st.isCharacterDevice()) return 'char';
    if (st.isBlockDevice()) return 'block';
    return 'other';
  } catch {
    return 'missing';
  }
}

export interface CheckOptions {
  /** Mode of a directory DirectoryOrCreate makes (upstream: 0755). */
  dirMode?: number;
}

export async function checkHostPathType(p: string, type: string | undefined, opts: CheckOptions = {}): Promise<CheckResult> {
  const t = type ?? '';
  if (t === '') return { ok: true };
  let kind = await kindOf(p);
  try {
    if (t === 'DirectoryOrCreate' && kind === 'missing') {
      const mode = opts.dirMode ?? 0o755;
      await mkdir(p, { recursive: true, mode });
      await chmod(p, mode);
      kind = 'dir';
    }
    if (t === 'FileOrCreate' && kind === 'missing') {
      // The parent must exist, as upstream: only the file itself is created.
      const fh = await open(p, constants.O_CREAT | constants.O_RDONLY, 0o644);
      await fh.close();
      kind = 'file';
    }
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const fail = (what: string): CheckResult => ({ ok: false, message: `hostPath type check failed: ${p} is not ${what}` });
  switch (t) {
    case 'DirectoryOrCreate':
    case 'Directory':
      return kind === 'dir' ? { ok: true } : fail('a directory');
    case 'FileOrCreate':
    case 'File':
      return kind === 'file' ? { ok: true } : fail('a file');
    case 'Socket':
      return kind === 'socket' ? { ok: true } : fail('a socket file');
    case 'CharDevice':
      return kind === 'char' ? { ok: true } : fail('a character device');
    case 'BlockDevice':
      return kind === 'block' ? { ok: true } : fail('a block device');
  }
  return { ok: false, message: `${t} is an invalid volume type` };
}
