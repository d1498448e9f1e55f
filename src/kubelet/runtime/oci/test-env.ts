/**
 * A throw-away oci runtime for tests on this machine: its own state dir,
 * bridge (`k8ts-t<random>`), free /24 and cgroup root, a busybox fixture
 * image, and a cleanup that removes all of it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBusyboxRootfs, FIXTURE_IMAGE, findBusybox, FixtureImages } from './busybox-fixture.js';
import { isCgroupV1 } from './cgroups.js';
import { OciContainerRuntime } from './oci-container-runtime.js';
import type { OciRuntimeOptions } from './oci-runtime.js';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the oci runtime cannot be tested here, if it cannot. */
export function ociSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the oci runtime needs Linux';
  if (process.getuid?.() !== 0) return 'the oci runtime needs root';
  for (const c of ['runc', 'ip', 'iptables', 'mount', 'mkfifo', 'script', 'stty']) if (!has(c)) return `${c} is not installed (apt-get install runc iproute2 iptables)`;
  if (!findBusybox()) return 'busybox is not installed (apt-get install busybox-static)';
  if (!isCgroupV1()) return 'the cgroup v1 memory hierarchy is not mounted';
  return undefined;
}

/** A /24 that no address or route of this machine uses. */
export function freeCidr(): string {
  const used = execFileSync('ip', ['-o', '-4', 'addr'], { encoding: 'utf8' }) + execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (;;) {
    const prefix = `10.${randomInt(200, 250)}.${randomInt(0, 256)}.`;
    if (!used.includes(prefix)) return `${prefix}0/24`;
  }
}

export interface OciTestEnv {
  readonly runtime: OciContainerRuntime;
  readonly opts: OciRuntimeOptions;
  image: string;
  work: string;
  /** Disposes the current instance and opens a new one on the same state (an agent restart). */
  reopen(): Promise<OciContainerRuntime>;
  cleanup(): Promise<void>;
}

export function createOciTestEnv(): OciTestEnv {
  const work = mkdtempSync(path.join(os.tmpdir(), 'k8ts-oci-'));
  const rootfs = path.join(work, 'image');
  buildBusyboxRootfs(rootfs, findBusybox()!);
  const images = new FixtureImages(rootfs);
  const tag = randomBytes(3).toString('hex');
  const opts: OciRuntimeOptions = {
    stateDir: path.join(work, 'state'),
    layers: images,
    images,
    podCIDR: freeCidr(),
    bridge: `k8ts-t${tag}`,
    cgroupRoot: `k8ts-t${tag}`,
  };
  let current = new OciContainerRuntime(opts);
  return {
    get runtime() {
      return current;
    },
    opts,
    image: FIXTURE_IMAGE,
    work,
    async reopen() {
      await current.dispose();
      current = new OciContainerRuntime(opts);
      return current;
    },
    async cleanup() {
      try {
        await current.cleanupAll();
        await current.dispose();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
