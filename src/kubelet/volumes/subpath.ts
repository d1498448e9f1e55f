/**
 * subPath and subPathExpr: mount one entry of a volume instead of its root.
 * The entry is created when missing and must resolve (symlinks followed)
 * inside the volume, so a path a container wrote cannot point a later mount
 * at the host. Messages are upstream's; the detailed cause of a refused
 * path is withheld from users as upstream does.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KeyValue } from '../runtime/interface.js';
import { expand } from '../env/index.js';

export type SubPathResult = { ok: true; hostPath: string } | { ok: false; message: string };

/** The subPath a subPathExpr stands for, or the names it lacks. */
export function expandSubPathExpr(expr: string, envs: readonly KeyValue[]): { ok: true; subPath: string } | { ok: false; message: string } {
  const env = new Map(envs.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const out = expand(expr, (name) => {
    const v = env.get(name);
    if (v === undefined || v === '') missing.add(name);
    return v ?? '';
  });
  if (missing.size) return { ok: false, message: `missing value for ${[...missing].sort().join(', ')}` };
  return { ok: true, subPath: out };
}

/** The problem with a subPath as written, if any. */
export function checkSubPath(subPath: string): string | undefined {
  if (path.isAbsolute(subPath)) return `error SubPath \`${subPath}\` must not be an absolute path`;
  if (subPath.split('/').includes('..')) return `unable to provision SubPath \`${subPath}\`: must not contain '..'`;
  return undefined;
}

function within(base: string, p: string): boolean {
  return p === base || p.startsWith(base.endsWith('/') ? base : base + '/');
}

export async function prepareSubPath(volumePath: string, subPath: string, ids: { volumeMountName: string; containerName: string }): Promise<SubPathResult> {
  const problem = checkSubPath(subPath);
  if (problem) return { ok: false, message: problem };
  const refused = { ok: false as const, message: `failed to prepare subPath for volumeMount "${ids.volumeMountName}" of container "${ids.containerName}"` };
  let base: string;
  try {
    base = await realpath(volumePath);
  } catch {
    return refused;
  }
  const target = path.join(volumePath, subPath);
  let resolved: string | undefined;
  try {
    resolved = await realpath(target);
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined) {
    // Create it with the volume's own mode, but only below an ancestor that already resolves inside the volume.
    let ancestor = path.dirname(target);
    for (;;) {
      try {
        const r = await realpath(ancestor);
        if (!within(base, r)) return refused;
        break;
      } catch {
        ancestor = path.dirname(ancestor);
      }
    }
    try {
      const mode = (await stat(volumePath)).mode & 0o7777;
      await mkdir(target, { recursive: true, mode });
      resolved = await realpath(target);
    } catch {
      return { ok: false, message: `failed to create subPath directory for volumeMount "${ids.volumeMountName}" of container "${ids.containerName}"` };
    }
  }
  if (!within(base, resolved)) return refused;
  return { ok: true, hostPath: resolved };
}
