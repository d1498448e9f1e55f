/**
 * imagePullSecrets: `.dockerconfigjson` (`{"auths": {...}}`) and the older
 * `.dockercfg` (the bare map), matched against an image the way the kubelet's
 * keyring does: keys are registry hosts with optional path prefixes, host
 * labels may be globs (`*.example.com`), the port must match, `/v1/` and
 * `/v2/` suffixes are ignored, and Docker Hub's legacy key
 * `https://index.docker.io/v1/` stands for docker.io.
 */
import type { AuthConfig } from '../runtime/interface.js';
import { DOCKER_HUB, type ImageReference, parseReference } from './reference.js';

export interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Registry key → credentials. */
export type DockerConfig = Record<string, DockerConfigEntry>;

/** Parses the decoded content of a `.dockerconfigjson` or `.dockercfg` secret key; undefined when it is not one. */
export function parseDockerConfigJSON(data: string | Buffer): DockerConfig | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const map = 'auths' in doc ? (doc as { auths: unknown }).auths : doc;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
  const out: DockerConfig = {};
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) if (typeof v === 'object' && v !== null) out[k] = v as DockerConfigEntry;
  return out;
}

/** Turns one config entry into AuthConfig, decoding `auth` into username and password. */
export function toAuthConfig(e: DockerConfigEntry): AuthConfig {
  const a: AuthConfig = {};
  let { username, password } = e;
  if (e.auth && (username === undefined || password === undefined)) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username ??= decoded.slice(0, colon);
      password ??= decoded.slice(colon + 1);
    }
  }
  if (username !== undefined) a.username = username;
  if (password !== undefined) a.password = password;
  if (e.auth) a.auth = e.auth;
  if (e.identitytoken) a.identityToken = e.identitytoken;
  if (e.registrytoken) a.registryToken = e.registrytoken;
  return a;
}

interface KeyURL {
  hostLabels: string[];
  port: string;
  path: string;
}

function splitKey(key: string): KeyURL | undefined {
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(key) ? key : `https://${key}`);
  } catch {
    return undefined;
  }
  let p = u.pathname;
  if (p.startsWith('/v2/') || p.startsWith('/v1/')) p = p.slice(3);
  if (p === '/') p = '';
  let host = u.hostname.toLowerCase();
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = DOCKER_HUB;
  return { hostLabels: host.split('.'), port: u.port, path: p };
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]')}$`);
  return re.test(s);
}

function keyMatches(key: KeyURL, target: KeyURL): boolean {
  if (key.hostLabels.length !== target.hostLabels.length) return false;
  if (!key.hostLabels.every((l, i) => globMatch(l, target.hostLabels[i]!))) return false;
  if (key.port !== target.port) return false;
  return target.path.startsWith(key.path);
}

/**
 * Every credential from the configs that applies to the image, most
 * specific key first (the kubelet tries them in this order until a pull
 * succeeds). Duplicates are dropped.
 */
export function credentialsFor(ref: string | ImageReference, dockerConfigs: readonly DockerConfig[]): AuthConfig[] {
  let parsed: ImageReference;
  if (typeof ref === 'string') {
    const r = parseReference(ref);
    if (!r.ok) return [];
    parsed = r.ref;
  } else parsed = ref;
  const target = splitKey(`${parsed.domain}/${parsed.path}`)!;
  const matches: { key: string; auth: AuthConfig }[] = [];
  for (const cfg of dockerConfigs) {
    for (const [key, entry] of Object.entries(cfg)) {
      const k = splitKey(key);
      if (k && keyMatches(k, target)) matches.push({ key: `${k.hostLabels.join('.')}${k.port ? `:${k.port}` : ''}${k.path}`, auth: toAuthConfig(entry) });
    }
  }
  // Longer keys (paths, exact hosts over globs with the same length) come first, as the kubelet's reverse-sorted index.
  matches.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const seen = new Set<string>();
  const out: AuthConfig[] = [];
  for (const m of matches) {
    const id = JSON.stringify(m.auth);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(m.auth);
  }
  return out;
}
