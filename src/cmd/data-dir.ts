import os from 'node:os';
import path from 'node:path';

/** k3s's default: /var/lib/k8ts for root, ~/.k8ts otherwise. */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : path.join(os.homedir(), '.k8ts');
}
