/**
 * The mounts the volume manager itself makes (tmpfs for memory-backed
 * emptyDirs). Node cannot call mount(2), so the host implementation spawns
 * mount/umount and reads /proc/self/mountinfo; tests may fake it.
 */
import { spawn } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

export type MountResult = { ok: true } | { ok: false; message: string };

export interface Mounter {
  mountTmpfs(target: string, opts: { sizeBytes?: number; mode?: number }): Promise<MountResult>;
  unmount(target: string): Promise<MountResult>;
  /** Mount points at or below dir, deepest first. */
  mountsUnder(dir: string): Promise<string[]>;
}

function run(cmd: string, args: string[]): Promise<MountResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ ok: false, message: err.message }));
    child.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, message: `${cmd} ${args.join(' ')} failed: exit status ${code}: ${stderr.trim()}` }));
  });
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export class HostMounter implements Mounter {
  mountTmpfs(target: string, opts: { sizeBytes?: number; mode?: number }): Promise<MountResult> {
    const options: string[] = [];
    if (opts.sizeBytes !== undefined && opts.sizeBytes > 0) options.push(`size=${opts.sizeBytes}`);
    if (opts.mode !== undefined) options.push(`mode=${opts.mode.toString(8).padStart(4, '0')}`);
    const args = ['-t', 'tmpfs'];
    if (options.length) args.push('-o', options.join(','));
    args.push('tmpfs', target);
    return run('mount', args);
  }

  unmount(target: string): Promise<MountResult> {
    return run('umount', [target]);
  }

  async mountsUnder(dir: string): Promise<string[]> {
    // mountinfo lists resolved paths; a symlinked state directory must still match.
    const root = await realpath(dir).catch(() => path.resolve(dir));
    let text: string;
    try {
      text = await readFile('/proc/self/mountinfo', 'utf8');
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const mp = line.split(' ')[4];
      if (!mp) continue;
      const p = unescapeMountPath(mp);
      if (p === root || p.startsWith(root + '/')) out.push(p);
    }
    return out.sort((a, b) => b.length - a.length);
  }
}
