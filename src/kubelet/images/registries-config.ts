/**
 * The registries file in k3s's `registries.yaml` format: `mirrors` maps a
 * registry host (or `*`) to endpoints tried in order before the registry
 * itself, with optional repository `rewrite` rules; `configs` maps an
 * endpoint host (or `*`) to credentials and TLS settings. A missing file is
 * an empty configuration, as in k3s.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYAML } from 'yaml';
import type { AuthConfig } from '../runtime/interface.js';
import type { TLSSettings } from './http-transport.js';
import { DOCKER_HUB, type ImageReference } from './reference.js';

export interface RegistryMirror {
  endpoints: string[];
  /** Regular expression → replacement applied to the repository path on mirror endpoints. */
  rewrite?: Record<string, string>;
}

export interface RegistryHostConfig {
  auth?: AuthConfig;
  tls?: TLSSettings;
}

export interface RegistriesConfig {
  mirrors: Record<string, RegistryMirror>;
  configs: Record<string, RegistryHostConfig>;
}

/** One place to try a pull from. */
export interface RegistryEndpoint {
  /** API root including `/v2`, e.g. `http://127.0.0.1:5000/v2`. */
  baseURL: string;
  /** host[:port] of the endpoint, the key for credentials. */
  host: string;
  /** Repository path to request at this endpoint (after mirror rewrites). */
  repository: string;
  tls?: TLSSettings;
  /** Credentials from the registries file for this endpoint. */
  auth?: AuthConfig;
  isMirror: boolean;
}

export const emptyRegistries = (): RegistriesConfig => ({ mirrors: {}, configs: {} });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses registries.yaml text; relative certificate paths resolve against baseDir. Invalid content is an error. */
export async function parseRegistries(text: string, { baseDir = '.' }: { baseDir?: string } = {}): Promise<RegistriesConfig> {
  const doc = (parseYAML(text) ?? {}) as unknown;
  if (!isObj(doc)) throw new Error('registries: top level must be a mapping');
  const out = emptyRegistries();
  const mirrors = doc.mirrors ?? {};
  if (!isObj(mirrors)) throw new Error('registries: mirrors must be a mapping');
  for (const [host, m] of Object.entries(mirrors)) {
    if (!isObj(m)) throw new Error(`registries: mirrors.${host} must be a mapping`);
    const endpoints = m.endpoint ?? [];
    if (!Array.isArray(endpoints) || !endpoints.every((e) => typeof e === 'string')) throw new Error(`registries: mirrors.${host}.endpoint must be a list of URLs`);
    const mirror: RegistryMirror = { endpoints: endpoints as string[] };
    if (m.rewrite !== undefined) {
      if (!isObj(m.rewrite)) throw new Error(`registries: mirrors.${host}.rewrite must be a mapping`);
      mirror.rewrite = Object.fromEntries(Object.entries(m.rewrite).map(([k, v]) => [k, String(v)]));
      for (const k of Object.keys(mirror.rewrite)) new RegExp(k);
    }
    out.mirrors[host] = mirror;
  }
  const configs = doc.configs ?? {};
  if (!isObj(configs)) throw new Error('registries: configs must be a mapping');
  const readOpt = async (p: unknown) => (typeof p === 'string' && p ? readFile(path.resolve(baseDir, p)) : undefined);
  for (const [host, c] of Object.entries(configs)) {
    if (!isObj(c)) throw new Error(`registries: configs.${host} must be a mapping`);
    const cfg: RegistryHostConfig = {};
    if (c.auth !== undefined) {
      if (!isObj(c.auth)) throw new Error(`registries: configs.${host}.auth must be a mapping`);
      const a = c.auth;
      cfg.auth = {};
      if (typeof a.username === 'string') cfg.auth.username = a.username;
      if (typeof a.password === 'string') cfg.auth.password = a.password;
      if (typeof a.auth === 'string') cfg.auth.auth = a.auth;
      if (typeof a.identity_token === 'string') cfg.auth.identityToken = a.identity_token;
      if (typeof a.token === 'string') cfg.auth.registryToken = a.token;
    }
    if (c.tls !== undefined) {
      if (!isObj(c.tls)) throw new Error(`registries: configs.${host}.tls must be a mapping`);
      cfg.tls = {
        ca: await readOpt(c.tls.ca_file),
        cert: await readOpt(c.tls.cert_file),
        key: await readOpt(c.tls.key_file),
        insecureSkipVerify: c.tls.insecure_skip_verify === true,
      };
    }
    out.configs[host] = cfg;
  }
  return out;
}

/** Reads a registries.yaml file (k3s: /etc/rancher/k3s/registries.yaml); a missing file gives an empty configuration. */
export async function loadRegistries(file: string): Promise<RegistriesConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistries();
    throw err;
  }
  return parseRegistries(text, { baseDir: path.dirname(file) });
}

/** 127.0.0.0/8, ::1 and localhost: plain HTTP, as Docker and containerd allow for local registries. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function apiRoot(u: URL): string {
  let p = u.pathname.replace(/\/+$/, '');
  if (!p.endsWith('/v2')) p += '/v2';
  return `${u.protocol}//${u.host}${p}`;
}

/**
 * Where to pull a reference from, in order: the mirrors for its registry
 * (or `*`), then the registry itself. The default endpoint speaks HTTPS
 * unless the host is loopback or listed in insecureRegistries.
 */
export function endpointsFor(config: RegistriesConfig, ref: ImageReference, { insecureRegistries = [] }: { insecureRegistries?: string[] } = {}): RegistryEndpoint[] {
  const out: RegistryEndpoint[] = [];
  const hostConfig = (host: string) => config.configs[host] ?? config.configs['*'] ?? {};
  const mirror = config.mirrors[ref.domain] ?? config.mirrors['*'];
  for (const raw of mirror?.endpoints ?? []) {
    const u = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`);
    let repository = ref.path;
    for (const [re, replacement] of Object.entries(mirror?.rewrite ?? {})) {
      const rx = new RegExp(re);
      if (rx.test(repository)) {
        repository = repository.replace(rx, replacement);
        break;
      }
    }
    const hc = hostConfig(u.host);
    out.push({ baseURL: apiRoot(u), host: u.host, repository, tls: hc.tls, auth: hc.auth, isMirror: true });
  }
  const host = ref.domain === DOCKER_HUB ? 'registry-1.docker.io' : ref.domain;
  const hc = config.configs[ref.domain] ?? config.configs[host] ?? config.configs['*'] ?? {};
  const plain = isLoopbackHost(host) || insecureRegistries.includes(ref.domain);
  const base = `${plain ? 'http' : 'https'}://${host}/v2`;
  if (!out.some((e) => e.baseURL === base)) out.push({ baseURL: base, host, repository: ref.path, tls: hc.tls, auth: hc.auth, isMirror: false });
  return out;
}
