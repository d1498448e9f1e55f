/**
 * The directories behind local-path volumes. Creating them is a node's job
 * when it mounts the volume; while the controller manager shares the host
 * with the storage path it does both ends itself, so a Delete reclaim leaves
 * nothing behind. Behind an interface so tests need no filesystem.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

export interface VolumeDirectories {
  create(dir: string): Promise<void>;
  remove(dir: string): Promise<void>;
}

/** Refuses any path outside `base`: a volume's path comes from an object users can edit. */
export function isWithin(base: string, dir: string): boolean {
  const rel = path.relative(path.resolve(base), path.resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export class HostVolumeDirectories implements VolumeDirectories {
  constructor(private readonly base: string) {}

  async create(dir: string): Promise<void> {
    if (!isWithin(this.base, dir)) throw new Error(`refusing to create ${dir}: outside ${this.base}`);
    // Any container user must be able to write its volume, as with upstream's local-path.
    await mkdir(dir, { recursive: true, mode: 0o777 });
  }

  async remove(dir: string): Promise<void> {
    if (!isWithin(this.base, dir)) throw new Error(`refusing to remove ${dir}: outside ${this.base}`);
    await rm(dir, { recursive: true, force: true });
  }
}
