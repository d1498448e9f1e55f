/**
 * A one-image store for tests: a busybox rootfs built from the host's static
 * busybox (Debian's busybox-static), served as a LayerSource and an
 * ImageService, so the runtime is tested without a registry.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { AuthConfig, Image, ImageService, ImageSpec } from '../interface.js';
import type { ImageLayers, LayerSource } from './layer-source.js';

export const FIXTURE_IMAGE = 'k8ts.test/busybox:fixture';
const FIXTURE_ID = 'sha256:' + 'f'.repeat(64);

export function findBusybox(): string | undefined {
  for (const p of ['/usr/bin/busybox', '/bin/busybox', '/usr/sbin/busybox']) if (existsSync(p)) return p;
  return undefined;
}

/** Writes a rootfs with busybox, its applets as symlinks, and account files with a non-root user `app` (1000:1000). */
export function buildBusyboxRootfs(dir: string, busybox: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'home/app']) mkdirSync(path.join(dir, d), { recursive: true });
  chmodSync(path.join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, path.join(dir, 'bin', 'busybox'));
  chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox' && !a.includes('/'));
  for (const a of applets) {
    const link = path.join(dir, 'bin', a);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
  writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n');
}

export class FixtureImages implements ImageService, LayerSource {
  constructor(
    private readonly rootfs: string,
    private readonly imageConfig: NonNullable<Image['config']> = { cmd: ['sh'], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'FROM_IMAGE=yes'], workingDir: '/' },
  ) {}

  private image(): Image {
    return { id: FIXTURE_ID, repoTags: [FIXTURE_IMAGE], repoDigests: [`k8ts.test/busybox@sha256:${'e'.repeat(64)}`], size: 1, config: this.imageConfig };
  }

  private matches(ref: string): boolean {
    return ref === FIXTURE_IMAGE || ref === FIXTURE_ID;
  }

  async layersFor(imageRef: string): Promise<ImageLayers> {
    if (!this.matches(imageRef)) throw new Error(`image ${imageRef} not found`);
    return { lowerDirs: [this.rootfs], config: this.imageConfig };
  }

  async listImages(): Promise<Image[]> {
    return [this.image()];
  }

  async imageStatus(spec: ImageSpec): Promise<Image | undefined> {
    return this.matches(spec.image) ? this.image() : undefined;
  }

  async pullImage(spec: ImageSpec, _auth?: AuthConfig): Promise<string> {
    if (!this.matches(spec.image)) throw new Error(`pull access denied for ${spec.image}: not found`);
    return FIXTURE_IMAGE;
  }

  async removeImage(_spec: ImageSpec): Promise<void> {}

  async imageFsInfo(): Promise<{ usedBytes: number; mountpoint: string }> {
    return { usedBytes: 0, mountpoint: this.rootfs };
  }
}
