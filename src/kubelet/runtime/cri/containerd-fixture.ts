/**
 * Test support: a private containerd 1.6 with the CRI plugin, its own root,
 * state, sockets, runc root, CNI config (a bridge and subnet unique to the
 * run) and a loopback registry holding a busybox image and a pause image.
 * Everything it creates is removed by `stop()`, also after a failed test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CriClient } from './cri-client.js';

const CNI_BIN_DIR = '/usr/lib/cni';

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The image and registry helpers the fixture needs, passed in by the tests
 * (src/testing/test-images.ts satisfies it; components may not import testing).
 */
export interface FixtureImageTools {
  missingImageTools(): string | undefined;
  startTestRegistry(opts?: { auth?: { username: string; password: string } }): Promise<{ host: string; stop(): Promise<void> }>;
  buildBusyboxImage(dir: string, opts?: { tag?: string; entrypoint?: string[]; cmd?: string[]; extraFiles?: Record<string, string> }): Promise<{ dir: string }>;
  pushImage(layoutDir: string, ref: string, opts?: { auth?: { username: string; password: string } }): Promise<{ manifestDigest: string }>;
}

/** Why the host cannot run the fixture, or undefined when it can. */
export function containerdSkipReason(tools: FixtureImageTools): string | undefined {
  if (process.platform !== 'linux') return 'containerd tests need Linux';
  if (process.getuid?.() !== 0) return 'containerd tests need root';
  const missing: string[] = [];
  for (const [bin, pkg] of [['containerd', 'containerd'], ['containerd-shim-runc-v2', 'containerd'], ['runc', 'runc'], ['docker-registry', 'docker-registry'], ['ip', 'iproute2']] as const) {
    if (!which(bin)) missing.push(`${bin} (apt-get install ${pkg})`);
  }
  if (!fs.existsSync(path.join(CNI_BIN_DIR, 'bridge')) || !fs.existsSync(path.join(CNI_BIN_DIR, 'host-local'))) missing.push('CNI plugins (apt-get install containernetworking-plugins)');
  const images = tools.missingImageTools();
  if (images) missing.push(images);
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tail(child: ChildProcess): () => string {
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-6000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => out;
}

async function killChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface ContainerdFixture {
  /** Temp dir holding everything. */
  dir: string;
  /** The CRI socket, for `--container-runtime-endpoint`. */
  endpoint: string;
  /** `127.0.0.1:<port>` of the loopback registry. */
  registry: string;
  /** A second registry demanding bearer-token auth with `authUser`/`authPassword`, holding `k8ts-test/private:1` (busybox plus /private.txt). */
  authRegistry: string;
  authUser: string;
  authPassword: string;
  /** A busybox image (sh, httpd, nc, sleep...) with Cmd ["sh"]. */
  busyboxImage: string;
  busyboxDigest: string;
  /** The sandbox image containerd is configured with. */
  pauseImage: string;
  /** The pod subnet of the test bridge, e.g. `10.213.7.0/24`. */
  podSubnet: string;
  /** The test bridge's name, unique to this fixture. */
  bridge: string;
  /** A cgroup parent unique to this fixture; tests put sandboxes under it so teardown can remove it. */
  cgroupParent: string;
  stop(): Promise<void>;
}

function pickSubnet(): string {
  const used = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout;
  for (let i = 0; i < 50; i++) {
    const a = 200 + crypto.randomInt(50);
    const b = crypto.randomInt(256);
    if (!used.includes(`10.${a}.${b}.`)) return `10.${a}.${b}.0/24`;
  }
  throw new Error('no free 10.x.y.0/24 test subnet');
}

/**
 * How the fixture's containerd gets its CNI config: written up front for the
 * test subnet (`static`), or rendered by containerd itself from a template
 * once a client announces the node's podCIDR with UpdateRuntimeConfig
 * (`template`, containerd's `conf_template`, what an agent relies on).
 */
export type FixtureCniMode = 'static' | 'template';

export interface ContainerdFixtureOptions {
  /** Default `static`. In `template` mode the network is not ready until a client sends the podCIDR (the fixture's `podSubnet`). */
  cni?: FixtureCniMode;
}

/**
 * The plugin chain: a bridge with host-local IPAM, then portmap for the
 * sandboxes' hostPorts (containerd passes them as the `portMappings`
 * capability). `subnetJSON` is the ranges value: JSON, or a Go template
 * expression producing it.
 */
function cniConfList(o: { bridge: string; ipamDir: string; rangesJSON: string }): string {
  return `{
  "cniVersion": "0.4.0",
  "name": ${JSON.stringify(o.bridge)},
  "plugins": [
    {
      "type": "bridge",
      "bridge": ${JSON.stringify(o.bridge)},
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": ${o.rangesJSON}, "dataDir": ${JSON.stringify(o.ipamDir)}, "routes": [{ "dst": "0.0.0.0/0" }] }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
`;
}

function writeContainerdConfig(o: { dir: string; registries: string[]; pauseImage: string; bridge: string; subnet: string; cni: FixtureCniMode }): string {
  const d = o.dir;
  fs.mkdirSync(path.join(d, 'cni', 'net.d'), { recursive: true });
  for (const r of o.registries) {
    fs.mkdirSync(path.join(d, 'certs.d', r), { recursive: true });
    fs.writeFileSync(path.join(d, 'certs.d', r, 'hosts.toml'), [
      `server = "http://${r}"`,
      `[host."http://${r}"]`,
      '  capabilities = ["pull", "resolve"]',
      '',
    ].join('\n'));
  }
  // No masquerade: tests reach pods from the host only, and every rule left behind would be a leak.
  const ipamDir = path.join(d, 'cni-ipam');
  const template = path.join(d, 'cni', 'template.json');
  if (o.cni === 'static') {
    fs.writeFileSync(path.join(d, 'cni', 'net.d', '10-k8ts-test.conflist'), cniConfList({ bridge: o.bridge, ipamDir, rangesJSON: JSON.stringify([[{ subnet: o.subnet }]]) }));
  } else {
    const ranges = '[{{range $i, $r := .PodCIDRRanges}}{{if $i}}, {{end}}[{ "subnet": "{{$r}}" }]{{end}}]';
    fs.writeFileSync(template, cniConfList({ bridge: o.bridge, ipamDir, rangesJSON: ranges }));
  }
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const config = [
    'version = 2',
    `root = "${d}/root"`,
    `state = "${d}/state"`,
    'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.opt"]',
    '[grpc]',
    `  address = "${d}/containerd.sock"`,
    '[ttrpc]',
    `  address = "${d}/containerd.sock.ttrpc"`,
    `[${cri}]`,
    `  sandbox_image = "${o.pauseImage}"`,
    // A negative oom_score_adj needs CAP_SYS_RESOURCE, which these hosts lack.
    '  restrict_oom_score_adj = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  disable_apparmor = true',
    '  netns_mounts_under_state_dir = true',
    `[${cri}.containerd]`,
    '  default_runtime_name = "runc"',
    '  snapshotter = "overlayfs"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `  Root = "${d}/runc"`,
    `[${cri}.cni]`,
    `  bin_dir = "${CNI_BIN_DIR}"`,
    `  conf_dir = "${d}/cni/net.d"`,
    ...(o.cni === 'template' ? [`  conf_template = "${template}"`] : []),
    `[${cri}.registry]`,
    `  config_path = "${d}/certs.d"`,
    '',
  ].join('\n');
  const file = path.join(d, 'config.toml');
  fs.writeFileSync(file, config);
  return file;
}

/** Pids of processes whose command line mentions `needle` (our unique socket path). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle)) out.push(Number(p));
    } catch {}
  }
  return out.filter((p) => p !== process.pid);
}

function unmountUnder(dir: string): void {
  const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
  for (const m of mounts.sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
}

function removeCgroups(parent: string): void {
  const base = '/sys/fs/cgroup';
  let controllers: string[] = [];
  try {
    controllers = fs.readdirSync(base);
  } catch {
    return;
  }
  const rmTree = (p: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(p, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) rmTree(path.join(p, e.name));
    try {
      fs.rmdirSync(p);
    } catch {}
  };
  for (const c of controllers) rmTree(path.join(base, c, parent.replace(/^\//, '')));
}

/** portmap's chains shared by every sandbox on the host; created on a first hostPort, never removed by CNI DEL. */
const PORTMAP_CHAINS = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ'];

function iptablesNat(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('iptables', ['-w', '5', '-t', 'nat', ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout ?? '' };
}

/** `iptables -S` output back into arguments: words, and double-quoted comments as one. */
function ruleArgs(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * Removes portmap's shared chains when this run created them and no sandbox
 * (of any run) has rules in them any more; otherwise they stay for their users.
 */
function removePortmapChains(existedBefore: Set<string>): void {
  const mine = PORTMAP_CHAINS.filter((c) => !existedBefore.has(c) && iptablesNat(['-S', c]).ok);
  if (!mine.length) return;
  const dnat = iptablesNat(['-S', 'CNI-HOSTPORT-DNAT']);
  if (dnat.ok && dnat.out.split('\n').some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT'))) return;
  for (const line of iptablesNat(['-S']).out.split('\n')) {
    const m = /^-A (PREROUTING|OUTPUT|POSTROUTING) (.*-j (CNI-HOSTPORT-[A-Z]+))\s*$/.exec(line);
    if (m && mine.includes(m[3]!)) iptablesNat(['-D', m[1]!, ...ruleArgs(m[2]!)]);
  }
  for (const c of mine) {
    iptablesNat(['-F', c]);
    iptablesNat(['-X', c]);
  }
}

export async function startContainerdFixture(tools: FixtureImageTools, opts: ContainerdFixtureOptions = {}): Promise<ContainerdFixture> {
  const { buildBusyboxImage, pushImage, startTestRegistry } = tools;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-cri-'));
  const suffix = crypto.randomBytes(3).toString('hex');
  const bridge = `k8ts-t${suffix}`;
  const cgroupParent = `/k8ts-t${suffix}`;
  const subnet = pickSubnet();
  const registries: { stop(): Promise<void> }[] = [];
  let containerd: ChildProcess | undefined;
  const endpoint = path.join(dir, 'containerd.sock');
  // libcni keeps its result cache under /var/lib/cni whatever the config says; only undo what this run created.
  const cniCacheExisted = fs.existsSync('/var/lib/cni');
  const portmapChainsBefore = new Set(PORTMAP_CHAINS.filter((c) => iptablesNat(['-S', c]).ok));

  const stop = async () => {
    // Stop and remove every sandbox through CRI first, so CNI DEL, netns and shim teardown run as designed.
    if (containerd && containerd.exitCode === null) {
      const client = new CriClient({ endpoint, callTimeoutMs: 30_000 });
      try {
        const { items } = await client.call<{ items: { id: string }[] }>('RuntimeService', 'ListPodSandbox', {});
        for (const s of items) {
          await client.call('RuntimeService', 'StopPodSandbox', { pod_sandbox_id: s.id }).catch(() => {});
          await client.call('RuntimeService', 'RemovePodSandbox', { pod_sandbox_id: s.id }).catch(() => {});
        }
      } catch {} finally {
        client.close();
      }
      await killChild(containerd, 'SIGTERM', 10_000);
    }
    for (const r of registries) await r.stop();
    // Shims outlive containerd by design; they name our socket on their command line.
    for (const pid of pidsMentioning(endpoint)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    unmountUnder(dir);
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    removePortmapChains(portmapChainsBefore);
    try {
      for (const f of fs.readdirSync('/var/lib/cni/results')) if (f.startsWith(`${bridge}-`)) fs.rmSync(path.join('/var/lib/cni/results', f), { force: true });
    } catch {}
    if (!cniCacheExisted) {
      for (const d of ['/var/lib/cni/results', '/var/lib/cni']) {
        try {
          fs.rmdirSync(d);
        } catch {}
      }
    }
    removeCgroups(cgroupParent);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const reg = await startTestRegistry();
    registries.push(reg);
    const authUser = `u${suffix}`;
    const authPassword = crypto.randomBytes(8).toString('hex');
    const authReg = await startTestRegistry({ auth: { username: authUser, password: authPassword } });
    registries.push(authReg);
    const registry = reg.host;
    const busybox = await buildBusyboxImage(path.join(dir, 'busybox-layout'), { tag: '1', extraFiles: { 'var/www/index.html': 'hello from busybox\n' } });
    const { manifestDigest: busyboxDigest } = await pushImage(busybox.dir, `${registry}/k8ts-test/busybox:1`);
    // A different image: CRI RemoveImage removes an image id with all its names.
    const privateImage = await buildBusyboxImage(path.join(dir, 'private-layout'), { tag: '1', extraFiles: { 'private.txt': 'private\n' } });
    await pushImage(privateImage.dir, `${authReg.host}/k8ts-test/private:1`, { auth: { username: authUser, password: authPassword } });
    // The sandbox only has to hold the namespaces; containerd kills it with SIGKILL.
    const pause = await buildBusyboxImage(path.join(dir, 'pause-layout'), { tag: '1', entrypoint: ['/bin/sleep'], cmd: ['inf'] });
    await pushImage(pause.dir, `${registry}/k8ts-test/pause:1`);

    const pauseImage = `${registry}/k8ts-test/pause:1`;
    const configFile = writeContainerdConfig({ dir, registries: [registry, authReg.host], pauseImage, bridge, subnet, cni: opts.cni ?? 'static' });
    containerd = spawn('containerd', ['--config', configFile, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const cdLog = tail(containerd);
    const cd = containerd;
    const probe = new CriClient({ endpoint, callTimeoutMs: 2_000 });
    try {
      await waitFor('containerd', 30_000, async () => {
        await probe.call('RuntimeService', 'Version', { version: '0.1.0' });
        return true;
      }, () => (cd.exitCode !== null ? `exited ${cd.exitCode}: ${cdLog()}` : undefined));
    } finally {
      probe.close();
    }
    return {
      dir,
      endpoint,
      registry,
      authRegistry: authReg.host,
      authUser,
      authPassword,
      busyboxImage: `${registry}/k8ts-test/busybox:1`,
      busyboxDigest,
      pauseImage,
      podSubnet: subnet,
      bridge,
      cgroupParent,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
