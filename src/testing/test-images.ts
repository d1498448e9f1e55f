/**
 * Test images and a test registry: OCI image layouts built from the host's
 * busybox-static (no network, reproducible digests), a real `docker-registry`
 * on a free loopback port with storage in a temp dir (optionally behind a
 * bearer-token or basic-auth front), and a push over the distribution API
 * with k8ts's own registry client.
 *
 * Needs the Debian packages busybox-static (/bin/busybox) and
 * docker-registry; `missingImageTools()` gives a skip reason when absent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../kubelet/images/digest.js';
import { DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../kubelet/images/media-types.js';
import { parseReference } from '../kubelet/images/reference.js';
import { RegistryClient, hostPlatform } from '../kubelet/images/registry-client.js';
import type { TarWriteEntry } from '../kubelet/images/tar-entry.js';
import { writeTar } from '../kubelet/images/tar-writer.js';
import { freePort } from './server-harness.js';

export const BUSYBOX_PATH = '/bin/busybox';
const REGISTRY_BIN = ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry'];

/** Applets linked into test images; busybox-static's wget crashes, so it is left out on purpose. */
export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'httpd', 'nc', 'sleep', 'cat', 'echo', 'ls', 'env', 'id', 'hostname', 'true', 'false', 'mkdir', 'rm', 'rmdir', 'cp', 'mv', 'ln',
  'ps', 'kill', 'grep', 'sed', 'awk', 'head', 'tail', 'wc', 'date', 'touch', 'test', '[', 'printf', 'pwd', 'uname', 'whoami', 'dd', 'du', 'df',
  'chmod', 'chown', 'stat', 'tee', 'yes', 'seq', 'sort', 'uniq', 'tr', 'cut', 'xargs', 'find', 'od', 'md5sum', 'sha256sum', 'base64', 'nslookup',
  'netstat', 'ip', 'ifconfig', 'ping', 'free', 'uptime', 'printenv', 'basename', 'dirname', 'readlink', 'realpath', 'which', 'mktemp', 'timeout',
  'nohup', 'sync', 'top', 'vi', 'more', 'less', 'tar', 'gzip', 'gunzip', 'mount', 'umount', 'expr', 'trap', 'usleep', 'watch', 'wc', 'nproc',
];

/** Why image tests cannot run here, or undefined when they can. */
export function missingImageTools({ registry = true }: { registry?: boolean } = {}): string | undefined {
  if (!existsSync(BUSYBOX_PATH)) return `${BUSYBOX_PATH} missing (apt-get install busybox-static)`;
  if (registry && !registryBinary()) return 'docker-registry missing (apt-get install docker-registry)';
  return undefined;
}

function registryBinary(): string | undefined {
  return REGISTRY_BIN.find((p) => existsSync(p));
}

export interface OCILayoutLayer {
  digest: string;
  diffID: string;
  size: number;
  mediaType: string;
}

export interface OCILayoutInfo {
  /** The layout directory (oci-layout, index.json, blobs/sha256/). */
  dir: string;
  tag: string;
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  layers: OCILayoutLayer[];
  /** The image configuration as written. */
  config: Record<string, unknown>;
}

export interface ImageConfigOptions {
  tag?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  architecture?: string;
  /** Extra files in the busybox layer: path → content (mode 0644) or { data, mode }. */
  extraFiles?: Record<string, string | { data: string | Buffer; mode?: number }>;
}

const FIXED_MTIME = 1_700_000_000;

/** The entries of the busybox layer: /bin/busybox, applet symlinks, /etc/passwd and /etc/group with root and nobody, /tmp, /root, /home. */
export function busyboxLayerEntries({ extraFiles = {} }: { extraFiles?: ImageConfigOptions['extraFiles'] } = {}): TarWriteEntry[] {
  const entries: TarWriteEntry[] = [
    { path: 'bin', type: 'dir', mode: 0o755 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(BUSYBOX_PATH) },
  ];
  for (const applet of [...new Set(BUSYBOX_APPLETS)]) entries.push({ path: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  entries.push(
    { path: 'etc', type: 'dir', mode: 0o755 },
    { path: 'etc/passwd', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n') },
    { path: 'etc/group', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:\nnobody:x:65534:\n') },
    { path: 'home', type: 'dir', mode: 0o755 },
    { path: 'root', type: 'dir', mode: 0o700 },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'var', type: 'dir', mode: 0o755 },
    { path: 'var/www', type: 'dir', mode: 0o755 },
  );
  const dirs = new Set(entries.filter((e) => e.type === 'dir').map((e) => e.path));
  for (const [p, v] of Object.entries(extraFiles ?? {})) {
    const parts = p.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: d, type: 'dir', mode: 0o755 });
      }
    }
    const data = typeof v === 'string' ? Buffer.from(v) : Buffer.from(v.data);
    entries.push({ path: parts.join('/'), type: 'file', mode: typeof v === 'string' ? 0o644 : (v.mode ?? 0o644), data });
  }
  return entries.map((e) => ({ mtime: FIXED_MTIME, ...e }));
}

async function writeBlob(dir: string, data: Buffer): Promise<string> {
  const digest = sha256Digest(data);
  await writeFile(path.join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  return digest;
}

/** Writes an OCI image layout with the given layers (each a list of tar entries, gzip-compressed) and configuration. */
export async function buildImageLayout(dir: string, { tag = 'latest', layers, config = {} }: { tag?: string; layers: TarWriteEntry[][]; config?: Omit<ImageConfigOptions, 'tag' | 'extraFiles'> }): Promise<OCILayoutInfo> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const layerInfo: OCILayoutLayer[] = [];
  for (const entries of layers) {
    const tar = writeTar(entries);
    const gz = gzipSync(tar, { level: 6 });
    const digest = await writeBlob(dir, gz);
    layerInfo.push({ digest, diffID: sha256Digest(tar), size: gz.length, mediaType: OCI_LAYER_GZIP });
  }
  const imageConfig: Record<string, unknown> = {
    created: new Date(FIXED_MTIME * 1000).toISOString(),
    architecture: config.architecture ?? hostPlatform().architecture,
    os: 'linux',
    config: {
      Env: config.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(config.entrypoint ? { Entrypoint: config.entrypoint } : {}),
      Cmd: config.cmd ?? ['sh'],
      ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
      ...(config.user ? { User: config.user } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layerInfo.map((l) => l.diffID) },
    history: layerInfo.map(() => ({ created: new Date(FIXED_MTIME * 1000).toISOString(), created_by: 'k8ts test image' })),
  };
  const configBytes = Buffer.from(JSON.stringify(imageConfig));
  const configDigest = await writeBlob(dir, configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
    layers: layerInfo.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = await writeBlob(dir, manifestBytes);
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { dir, tag, manifestDigest, manifestSize: manifestBytes.length, configDigest, layers: layerInfo, config: imageConfig };
}

/** A one-layer busybox image (default command `sh`) as an OCI layout in dir. */
export async function buildBusyboxImage(dir: string, opts: ImageConfigOptions = {}): Promise<OCILayoutInfo> {
  return buildImageLayout(dir, { tag: opts.tag ?? 'latest', layers: [busyboxLayerEntries({ extraFiles: opts.extraFiles })], config: opts });
}

/**
 * A two-layer busybox image whose top layer deletes files and a directory
 * with `.wh.` whiteouts and makes /opq opaque (listing the opaque marker
 * after a new file, which an unpacker must still keep). Unpacked, it holds
 * /data/keep.txt, /data/added.txt, /opq/new.txt and none of /data/gone.txt,
 * /data/dir-gone, /opq/old.txt, /opq/sub.
 */
export async function buildWhiteoutImage(dir: string, opts: ImageConfigOptions = {}): Promise<OCILayoutInfo> {
  const m = { mtime: FIXED_MTIME };
  const lower: TarWriteEntry[] = [
    ...busyboxLayerEntries({ extraFiles: opts.extraFiles }),
    { path: 'data', type: 'dir', mode: 0o755, ...m },
    { path: 'data/keep.txt', type: 'file', data: Buffer.from('keep\n'), ...m },
    { path: 'data/gone.txt', type: 'file', data: Buffer.from('gone\n'), ...m },
    { path: 'data/dir-gone', type: 'dir', ...m },
    { path: 'data/dir-gone/f.txt', type: 'file', data: Buffer.from('f\n'), ...m },
    { path: 'opq', type: 'dir', ...m },
    { path: 'opq/old.txt', type: 'file', data: Buffer.from('old\n'), ...m },
    { path: 'opq/sub', type: 'dir', ...m },
    { path: 'opq/sub/deep.txt', type: 'file', data: Buffer.from('deep\n'), ...m },
  ];
  const upper: TarWriteEntry[] = [
    { path: 'data', type: 'dir', mode: 0o755, ...m },
    { path: 'data/.wh.gone.txt', type: 'file', ...m },
    { path: 'data/.wh.dir-gone', type: 'file', ...m },
    { path: 'data/added.txt', type: 'file', data: Buffer.from('added\n'), ...m },
    { path: 'opq', type: 'dir', ...m },
    { path: 'opq/new.txt', type: 'file', data: Buffer.from('new\n'), ...m },
    { path: 'opq/.wh..wh..opq', type: 'file', ...m },
  ];
  return buildImageLayout(dir, { tag: opts.tag ?? 'latest', layers: [lower, upper], config: opts });
}

/** Writes a `docker save` style tarball (manifest.json, config, uncompressed layer tars) of a layout built here. */
export async function writeDockerSaveTarball(layout: OCILayoutInfo, file: string, { repoTags }: { repoTags: string[] }): Promise<void> {
  const { gunzipSync } = await import('node:zlib');
  const blob = (d: string) => readFile(path.join(layout.dir, 'blobs', 'sha256', d.slice(7)));
  const entries: TarWriteEntry[] = [];
  const configName = `${layout.configDigest.slice(7)}.json`;
  entries.push({ path: configName, type: 'file', data: await blob(layout.configDigest) });
  const layerNames: string[] = [];
  for (const l of layout.layers) {
    const dir = l.diffID.slice(7);
    layerNames.push(`${dir}/layer.tar`);
    entries.push({ path: dir, type: 'dir' }, { path: `${dir}/VERSION`, type: 'file', data: Buffer.from('1.0') }, { path: `${dir}/layer.tar`, type: 'file', data: gunzipSync(await blob(l.digest)) });
  }
  entries.push({ path: 'manifest.json', type: 'file', data: Buffer.from(JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerNames }])) });
  await writeFile(file, writeTar(entries));
}

export interface TestRegistryAuth {
  username: string;
  password: string;
  /** `bearer` (default): a token endpoint as Docker Hub has; `basic`: plain basic auth. */
  scheme?: 'bearer' | 'basic';
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, what image references use. */
  host: string;
  /** The registry's own storage directory. */
  dataDir: string;
  /** Token requests seen by the auth front (bearer mode). */
  tokenRequests: number;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not become ready: ${output()}`);
}

async function startRegistryProcess(dataDir: string): Promise<{ port: number; child: ChildProcess }> {
  const bin = registryBinary();
  if (!bin) throw new Error('docker-registry missing (apt-get install docker-registry)');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const cfg = path.join(dataDir, 'config.yml');
    await writeFile(
      cfg,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path.join(dataDir, 'storage')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const child = spawn(bin, ['serve', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    try {
      await waitReady(`http://127.0.0.1:${port}/v2/`, child, () => out);
      return { port, child };
    } catch (err) {
      await stopChild(child);
      if (attempt >= 2) throw err;
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** An HTTP front that demands credentials (bearer tokens from its own /token endpoint, or basic) and forwards to the registry. */
function startAuthFront(backendPort: number, auth: TestRegistryAuth, counters: { tokenRequests: number }): Promise<http.Server> {
  const tokens = new Set<string>();
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (req.url?.startsWith('/token')) {
      counters.tokenRequests++;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
      return;
    }
    const h = req.headers.authorization ?? '';
    const allowed = auth.scheme === 'basic' ? h === expected : h.startsWith('Bearer ') && tokens.has(h.slice(7));
    if (!allowed) {
      const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(req.url ?? '')?.[1];
      const challenge =
        auth.scheme === 'basic'
          ? 'Basic realm="k8ts-test-registry"'
          : `Bearer realm="http://${host}/token",service="k8ts-test-registry"${repo ? `,scope="repository:${repo}:pull"` : ''}`;
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': challenge, 'Docker-Distribution-Api-Version': 'registry/2.0' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }));
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: { ...req.headers, authorization: '' } }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      ures.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Runs docker-registry on a free loopback port (storage in a temp dir), optionally behind an auth front. */
export async function startTestRegistry({ auth }: { auth?: TestRegistryAuth } = {}): Promise<TestRegistry> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'k8ts-registry-'));
  let child: ChildProcess | undefined;
  let front: http.Server | undefined;
  const counters = { tokenRequests: 0 };
  const stop = async () => {
    if (front) await new Promise<void>((resolve) => front!.close(() => resolve()));
    front?.closeAllConnections();
    if (child) await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await startRegistryProcess(dataDir);
    child = started.child;
    let port = started.port;
    if (auth) {
      front = await startAuthFront(port, auth, counters);
      port = (front.address() as { port: number }).port;
    }
    return {
      host: `127.0.0.1:${port}`,
      dataDir,
      get tokenRequests() {
        return counters.tokenRequests;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface PushOptions {
  auth?: { username: string; password: string };
  /**
   * Push as a multi-platform index whose first entry is another platform
   * (linux/arm64, or linux/amd64 on arm64 hosts; same layers, its own
   * config) and whose second is this layout's image for the host platform, so a client that ignores the platform gets the wrong one.
   */
  multiPlatform?: boolean;
  /** Index media type for multiPlatform: OCI (default) or Docker manifest list. */
  indexMediaType?: typeof OCI_INDEX | typeof DOCKER_MANIFEST_LIST;
}

/**
 * Pushes an OCI layout built here to a registry reference (`HOST/repo:tag`)
 * over the distribution API with k8ts's registry client. Returns the digest
 * the tag now points at and the image manifest's digest.
 */
export async function pushImage(layoutDir: string, ref: string, opts: PushOptions = {}): Promise<{ digest: string; manifestDigest: string }> {
  const parsed = parseReference(ref);
  if (!parsed.ok) throw new Error(parsed.message);
  const client = new RegistryClient();
  const session = client.session(client.endpoints(parsed.ref).at(-1)!, { auth: opts.auth, push: true });
  const blob = (d: string) => readFile(path.join(layoutDir, 'blobs', 'sha256', d.slice(7)));
  const index = JSON.parse(await readFile(path.join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; size: number }[] };
  const top = index.manifests[0]!;
  const manifestBytes = await blob(top.digest);
  const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string; mediaType: string; size: number }[] };
  for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) await session.pushBlob(d, await blob(d));
  const tag = parsed.ref.tag ?? 'latest';
  if (!opts.multiPlatform) {
    await session.pushManifest(tag, top.mediaType, manifestBytes);
    return { digest: top.digest, manifestDigest: top.digest };
  }
  await session.pushManifest(top.digest, top.mediaType, manifestBytes);
  const config = JSON.parse((await blob(manifest.config.digest)).toString()) as Record<string, unknown>;
  const host = hostPlatform();
  const decoy = host.architecture === 'arm64' ? { architecture: 'amd64', os: 'linux' } : { architecture: 'arm64', os: 'linux', variant: 'v8' };
  const otherConfig = Buffer.from(JSON.stringify({ ...config, ...decoy }));
  const otherConfigDigest = sha256Digest(otherConfig);
  await session.pushBlob(otherConfigDigest, otherConfig);
  const otherManifest = Buffer.from(JSON.stringify({ ...manifest, config: { mediaType: OCI_CONFIG, digest: otherConfigDigest, size: otherConfig.length } }));
  const otherDigest = await session.pushManifest(sha256Digest(otherManifest), top.mediaType, otherManifest);
  const indexType = opts.indexMediaType ?? OCI_INDEX;
  const indexBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: indexType,
      manifests: [
        { mediaType: top.mediaType, digest: otherDigest, size: otherManifest.length, platform: decoy },
        { mediaType: top.mediaType, digest: top.digest, size: manifestBytes.length, platform: host },
      ],
    }),
  );
  const digest = await session.pushManifest(tag, indexType, indexBytes);
  return { digest, manifestDigest: top.digest };
}
