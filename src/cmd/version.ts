/** The version this build reports at /version and `k8ts --version`. */
import { readFileSync } from 'node:fs';
import { goArch, goOS } from '../kubelet/node/host-info.js';

/** The Kubernetes API level k8ts implements. */
export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '32';

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function versionInfo() {
  const v = packageVersion();
  return {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0+k8ts-${v}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${goOS()}/${goArch()}`,
  };
}

/** A client's User-Agent as upstream components send it: `kubelet/v1.32.0 (linux/amd64) kubernetes/k8ts`. */
export function userAgent(component: string, version: string): string {
  return `${component}/${version} (${goOS()}/${goArch()}) kubernetes/k8ts`;
}
