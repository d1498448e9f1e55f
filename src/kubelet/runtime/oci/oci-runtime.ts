/**
 * The built-in `oci` runtime: pods as named network namespaces on a bridge,
 * containers as runc containers on an overlay rootfs, each under a detached
 * shell shim (shim.ts) so containers and their logs outlive the agent. All
 * state lives in files under the state directory; a new instance on the same
 * directory adopts what an earlier one started.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, type FSWatcher, mkdirSync, openSync, rmSync, statSync, watch, write } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { type Duplex, PassThrough, Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { type Logger, silentLogger } from '../../../machinery/log.js';
import type {
  ContainerConfig, ContainerFilter, ContainerState, ContainerStats, ContainerStatus, ExecSyncResult, ImageService, PodSandboxConfig,
  PodSandboxFilter, PodSandboxStatus, SandboxState, RuntimeService, RuntimeStatus, RuntimeVersion, StreamOptions, StreamSession,
} from '../interface.js';
import { hostBoundingSet } from './capabilities.js';
import { cgroupPids, CGROUP_MOUNT, createCgroup, isCgroupV1, memoryScopeHook, oomKillCount, readStats, removeCgroup, removeEmptyCgroup } from './cgroups.js';
import { LogPump } from './cri-log.js';
import { hostsFile, resolvConf } from './etc-files.js';
import { admitHostports, Hostports, hostportSandbox } from './hostports.js';
import { type Cidr, Ipam, parseCidr } from './ipam.js';
import type { LayerSource } from './layer-source.js';
import { createPodIpc, podIpcPaths, releaseNsDir, removePodIpc } from './pod-ipc.js';
import { podPidNamespacePath, startPodPidNamespace, stopPodPidNamespace, stopUnrecordedPidHolders } from './pod-pid.js';
import { childPids, readText, tryKill } from './proc.js';
import { ensureBridge, hostVethName, netnsName, netnsPath, type NetworkOptions, removeBridge, setupPodNetwork, teardownPodNetwork } from './network.js';
import { mustRun, runCommand } from './run-command.js';
import { parseExitFile, shimAlive, spawnShim } from './shim.js';
import { buildSpec } from './spec.js';
import { type ContainerRecord, type SandboxRecord, StateStore } from './state.js';
import { readAccounts, resolveUser } from './user.js';

export interface OciRuntimeOptions {
  /** Everything the runtime keeps: records, bundles, runc's root, raw output. */
  stateDir: string;
  layers: LayerSource;
  /** Resolves image references to ids and digests for container status. */
  images: ImageService;
  /** The node's podCIDR; without it only host-network pods can run. */
  podCIDR?: string;
  /** Default `k8ts0`. */
  bridge?: string;
  /** The cgroup (in every v1 hierarchy) under which pods without a cgroupParent go; default `k8ts`. */
  cgroupRoot?: string;
  /** Masquerade pod traffic leaving the node; default true. */
  masquerade?: boolean;
  /** Default `runc` from PATH. */
  runc?: string;
  /** Copied into pods without a DNS config; default /etc/resolv.conf. */
  hostResolvConf?: string;
  logger?: Logger;
  now?: () => number;
}

/** The child cgroup runc creates and removes under ours. */
const RUNC_CGROUP = 'ctr';
const START_TIMEOUT_MS = 30_000;

const newId = () => randomBytes(32).toString('hex');

function matchesLabels(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ContainerFiles {
  dir: string;
  bundle: string;
  rootfs: string;
  upper: string;
  work: string;
  stdout: string;
  stderr: string;
  stdin: string;
  exit: string;
  pid: string;
  runcLog: string;
  offsets: string;
}

export class OciRuntimeService implements RuntimeService {
  private readonly store: StateStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly runc: string;
  private readonly cgroupRoot: string;
  private readonly net: NetworkOptions | undefined;
  private readonly ipam: Ipam | undefined;
  private readonly pumps = new Map<string, LogPump>();
  /** Containers whose shim is being spawned. */
  private readonly starting = new Set<string>();
  /** Writers the agent holds on stdinOnce containers' FIFOs until their first attach ends. */
  private readonly stdinOnce = new Map<string, number>();
  private bridgeReady: Promise<void> | undefined;
  private readonly hostports: Hostports;
  private hostBounding: string[] | undefined;
  private versionCache: RuntimeVersion | undefined;

  constructor(private readonly opts: OciRuntimeOptions) {
    this.store = new StateStore(opts.stateDir);
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.runc = opts.runc ?? 'runc';
    this.cgroupRoot = (opts.cgroupRoot ?? 'k8ts').replace(/^\/+|\/+$/g, '');
    this.hostports = new Hostports({ bridge: opts.bridge ?? 'k8ts0' });
    if (opts.podCIDR) {
      const cidr: Cidr | undefined = parseCidr(opts.podCIDR);
      if (!cidr) throw new Error(`invalid pod CIDR ${JSON.stringify(opts.podCIDR)}`);
      this.net = { bridge: opts.bridge ?? 'k8ts0', cidr, cidrText: opts.podCIDR, masquerade: opts.masquerade ?? true };
      this.ipam = new Ipam(path.join(opts.stateDir, 'ipam.json'), opts.podCIDR);
    }
    // Adoption: keep converting the output of containers an earlier instance started.
    for (const rec of this.store.containers.values()) if (rec.startedAt && !rec.startError) this.startPump(rec);
  }

  // ---- runtime ----

  async version(): Promise<RuntimeVersion> {
    if (!this.versionCache) {
      const r = await runCommand(this.runc, ['--version']);
      const v = /runc version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
      this.versionCache = { runtimeName: 'oci', runtimeVersion: v, runtimeApiVersion: 'v1' };
    }
    return this.versionCache;
  }

  async status(): Promise<RuntimeStatus> {
    const problems: string[] = [];
    if ((await runCommand(this.runc, ['--version'])).code !== 0) problems.push(`${this.runc} not found`);
    if (!isCgroupV1()) problems.push('cgroup v1 memory hierarchy not mounted');
    if (process.getuid?.() !== 0) problems.push('not running as root');
    const runtimeReady = problems.length === 0;
    let networkReady = this.net !== undefined;
    if (!this.net) problems.push('no podCIDR assigned');
    else {
      try {
        await this.ensureBridge();
      } catch (e) {
        networkReady = false;
        problems.push(`network: ${(e as Error).message}`);
      }
    }
    return { runtimeReady, networkReady, ...(problems.length ? { message: problems.join('; ') } : {}) };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = newId();
    // Checked with no await before the record is saved, so two sandboxes cannot both take a port.
    const admitted = admitHostports(config, this.store.sandboxes.values());
    if (!admitted.ok) throw new Error(admitted.message);
    const hostNetwork = config.linux.security.hostNetwork;
    const parent = config.linux.cgroupParent?.replace(/^\/+|\/+$/g, '');
    const rec: SandboxRecord = {
      id,
      config,
      createdAt: this.now(),
      // Ready from the start, so that hostPort admission counts it while it is being set up.
      state: 'SANDBOX_READY',
      cgroupParent: parent || `${this.cgroupRoot}/${id}`,
      ownsCgroupParent: !parent,
    };
    const dir = this.store.sandboxDir(id);
    mkdirSync(dir, { recursive: true });
    mkdirSync(config.logDirectory, { recursive: true });
    // Recorded before anything is created on the host, so a failure half-way can be undone by removePodSandbox or cleanupAll.
    this.store.saveSandbox(rec);
    try {
      const net = this.net;
      if (!hostNetwork) {
        if (!net || !this.ipam) throw new Error('pod networking is not configured: the node has no podCIDR');
        await this.ensureBridge();
        const alloc = await this.ipam.allocate(id);
        if (!alloc.ok) throw new Error(`no free address in ${net.cidrText}`);
        rec.ip = alloc.ip;
        rec.netns = netnsName(id);
        rec.hostVeth = hostVethName(id);
      }
      if (!config.linux.security.hostIPC) rec.ipc = podIpcPaths(this.nsDir, id);
      // Names are recorded before what they name exists (tearing down skips what is missing): one write covers a failure at any point.
      this.store.saveSandbox(rec);
      // The network, the IPC and the PID namespace are independent; each settles before a failure is undone.
      // The PID namespace's holder is known only once it runs; until recorded, teardown finds it by its marker.
      const steps = await Promise.allSettled([
        net && rec.ip
          ? setupPodNetwork(id, rec.ip, net).then(async (pn) => {
              if (pn.netns !== rec.netns || pn.hostVeth !== rec.hostVeth) {
                rec.netns = pn.netns;
                rec.hostVeth = pn.hostVeth;
                this.store.saveSandbox(rec);
              }
              const hp = hostportSandbox(rec);
              if (hp) await this.hostports.add(hp);
            })
          : undefined,
        rec.ipc ? createPodIpc(this.nsDir, id) : undefined,
        sharesPID(config)
          ? startPodPidNamespace(id).then((pidns) => {
              rec.pidns = pidns;
              this.store.saveSandbox(rec);
            })
          : undefined,
      ]);
      for (const step of steps) if (step.status === 'rejected') throw step.reason;
      const hostResolv = readText(this.opts.hostResolvConf ?? '/etc/resolv.conf');
      // Off the event loop: creating files can block for milliseconds on a busy disk, and the agent's process also serves the API.
      await Promise.all([
        writeFile(path.join(dir, 'hosts'), hostNetwork ? readText('/etc/hosts') || hostsFile({ hostname: config.hostname }) : hostsFile({ hostname: config.hostname, podIP: rec.ip, hostAliases: config.hostAliases })),
        writeFile(path.join(dir, 'resolv.conf'), resolvConf(config.dnsConfig, hostResolv)),
        writeFile(path.join(dir, 'hostname'), `${hostNetwork ? readText('/etc/hostname').trim() : config.hostname}\n`),
      ]);
    } catch (e) {
      await this.removePodSandbox(id).catch(() => {});
      throw e;
    }
    this.log.debug('sandbox ready', { pod: `${config.metadata.namespace}/${config.metadata.name}`, sandbox: id, ip: rec.ip });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const rec = this.sandbox(id);
    if (!rec) return;
    for (const c of this.containersOf(rec.id)) await this.stopContainer(c.id, 0);
    if (hostportSandbox(rec)) await this.hostports.remove(rec.id);
    if (rec.netns && rec.hostVeth && rec.ip && this.net) {
      await teardownPodNetwork({ netns: rec.netns, hostVeth: rec.hostVeth, ip: rec.ip }, this.net);
    } else if (rec.netns && existsSync(netnsPath(rec.netns))) {
      await runCommand('ip', ['netns', 'del', rec.netns]);
    }
    await this.ipam?.release(rec.id);
    if (rec.ipc) await removePodIpc(rec.ipc);
    if (rec.pidns) stopPodPidNamespace(rec.pidns, rec.id);
    else if (sharesPID(rec.config)) stopUnrecordedPidHolders(rec.id);
    rec.state = 'SANDBOX_NOTREADY';
    this.store.saveSandbox(rec);
  }

  async removePodSandbox(id: string): Promise<void> {
    const rec = this.sandbox(id);
    if (!rec) return;
    await this.stopPodSandbox(rec.id);
    for (const c of this.containersOf(rec.id)) await this.removeContainer(c.id);
    if (rec.ownsCgroupParent) removeCgroup(rec.cgroupParent);
    this.store.deleteSandbox(rec.id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus | undefined> {
    const rec = this.sandbox(id);
    return rec ? this.sandboxStatusOf(rec) : undefined;
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    const out: PodSandboxStatus[] = [];
    for (const rec of this.store.sandboxes.values()) {
      if (filter?.id && !rec.id.startsWith(filter.id)) continue;
      if (!matchesLabels(rec.config.labels, filter?.labelSelector)) continue;
      const st = this.sandboxStatusOf(rec);
      if (filter?.state && st.state !== filter.state) continue;
      out.push(st);
    }
    return out;
  }

  /**
   * A ready sandbox whose namespaces are gone (the node rebooted, or someone killed the process holding
   * the pod's PID namespace) is not ready any more, as one whose pause container died: the agent then
   * replaces it.
   */
  private sandboxState(rec: SandboxRecord): SandboxState {
    if (rec.state !== 'SANDBOX_READY') return rec.state;
    if (rec.netns && !existsSync(netnsPath(rec.netns))) return 'SANDBOX_NOTREADY';
    if (rec.pidns && !podPidNamespacePath(rec.pidns)) return 'SANDBOX_NOTREADY';
    return 'SANDBOX_READY';
  }

  private sandboxStatusOf(rec: SandboxRecord): PodSandboxStatus {
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state: this.sandboxState(rec),
      createdAt: rec.createdAt,
      ...(rec.ip ? { ip: rec.ip } : {}),
      labels: rec.config.labels,
      annotations: rec.config.annotations,
    };
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = this.sandbox(podSandboxId);
    if (!sb) throw new Error(`pod sandbox ${podSandboxId} not found`);
    if (this.sandboxState(sb) !== 'SANDBOX_READY') throw new Error(`pod sandbox ${podSandboxId} is not ready`);
    const layers = await this.opts.layers.layersFor(config.image);
    if (layers.lowerDirs.length === 0) throw new Error(`image ${config.image} has no layers`);
    const img = await this.opts.images.imageStatus({ image: config.image }).catch(() => undefined);
    const id = newId();
    const f = this.files(id);
    const rec: ContainerRecord = {
      id,
      sandboxId: sb.id,
      config,
      createdAt: this.now(),
      image: img?.id ?? config.image,
      imageRef: img?.repoDigests[0] ?? img?.id ?? config.image,
      logPath: path.resolve(sb.config.logDirectory, config.logPath),
      cgroup: `${sb.cgroupParent}/${id}`,
      ...(layers.config.stopSignal ? { stopSignal: layers.config.stopSignal } : {}),
    };
    this.store.saveContainer(rec);
    try {
      await Promise.all([f.rootfs, f.upper, f.work].map((d) => mkdir(d, { recursive: true })));
      await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.lowerDirs.join(':')},upperdir=${f.upper},workdir=${f.work}`, f.rootfs]);
      // Written with the start; removal looks at the mount table, not at this flag.
      rec.mounted = true;
      const sec = config.linux.securityContext ?? {};
      const acc = readAccounts(f.rootfs);
      const user = resolveUser(
        { runAsUser: sec.runAsUser, runAsGroup: sec.runAsGroup, runAsUsername: sec.runAsUsername, supplementalGroups: sec.supplementalGroups, imageUser: layers.config.user },
        acc.passwd,
        acc.groups,
      );
      if (!user.ok) throw new Error(user.message);
      const sdir = this.store.sandboxDir(sb.id);
      const pidnsPath = this.pidNamespaceFor(sb, sec.pidTargetId);
      const spec = buildSpec({
        config,
        sandbox: sb.config,
        image: layers.config,
        user: user.user,
        hostBounding: (this.hostBounding ??= hostBoundingSet()),
        cgroupsPath: `/${rec.cgroup}/${RUNC_CGROUP}`,
        ...(sb.netns ? { netnsPath: netnsPath(sb.netns) } : {}),
        ...(sb.ipc ? { ipcnsPath: sb.ipc.ipcns, shmPath: sb.ipc.shm } : {}),
        ...(pidnsPath ? { pidnsPath } : {}),
        etc: { hosts: path.join(sdir, 'hosts'), resolvConf: path.join(sdir, 'resolv.conf'), hostname: path.join(sdir, 'hostname') },
      });
      if (!spec.ok) throw new Error(spec.message);
      const scope = memoryScopeHook(rec.cgroup);
      await writeFile(path.join(f.bundle, 'config.json'), JSON.stringify(scope ? { ...spec.spec, hooks: { createRuntime: [scope] } } : spec.spec));
      createCgroup(rec.cgroup, config.linux.resources);
      // A terminal always reads a FIFO: `script` would turn /dev/null's EOF into input for the container's pty.
      if (config.stdin || config.tty) await mustRun('mkfifo', ['-m', '0600', f.stdin]);
      mkdirSync(path.dirname(rec.logPath), { recursive: true });
    } catch (e) {
      await this.removeContainer(id).catch(() => {});
      throw e;
    }
    return id;
  }

  /** The PID namespace a new container joins: the pod's when it shares one, else a target's; undefined: its own. */
  private pidNamespaceFor(sb: SandboxRecord, targetId: string | undefined): string | undefined {
    const sec = sb.config.linux.security;
    if (sec.hostPID) return undefined;
    if (sb.pidns) {
      const p = podPidNamespacePath(sb.pidns);
      if (!p) throw new Error(`the PID namespace of pod sandbox ${sb.id} is gone`);
      return p;
    }
    return targetId ? this.pidNamespaceOf(sb.id, targetId) : undefined;
  }

  /** The PID namespace of a running container of the sandbox, by its process's /proc entry. */
  private pidNamespaceOf(sandboxId: string, targetId: string): string {
    const target = this.container(targetId);
    const pid = target && target.sandboxId === sandboxId && !existsSync(this.files(target.id).exit) ? Number(readText(this.files(target.id).pid)) : 0;
    if (!(pid > 0) || !existsSync(`/proc/${pid}/ns/pid`)) throw new Error(`target container ${targetId} is not running in pod sandbox ${sandboxId}`);
    return `/proc/${pid}/ns/pid`;
  }

  async startContainer(id: string): Promise<void> {
    const rec = this.container(id);
    if (!rec) throw new Error(`container ${id} not found`);
    if (rec.startedAt || this.starting.has(rec.id)) throw new Error(`container ${rec.id} was already started`);
    const f = this.files(rec.id);
    const cfg = rec.config;
    this.starting.add(rec.id);
    try {
      if (cfg.stdin && cfg.stdinOnce) this.stdinOnce.set(rec.id, openSync(f.stdin, 'r+'));
      const startedAt = this.now();
      const shimPid = await spawnShim({
        runc: this.runc,
        id: rec.id,
        tty: cfg.tty,
        holdStdin: cfg.tty ? !(cfg.stdin && cfg.stdinOnce) : cfg.stdin && !cfg.stdinOnce,
        files: {
          bundle: f.bundle,
          runcRoot: this.store.runcRoot,
          runcLog: f.runcLog,
          pidFile: f.pid,
          stdin: cfg.stdin || cfg.tty ? f.stdin : '/dev/null',
          stdout: f.stdout,
          stderr: f.stderr,
          exit: f.exit,
          memoryCgroup: path.join(CGROUP_MOUNT, 'memory', rec.cgroup),
        },
      });
      // Both at once: a started container without its shim's pid would read as exited.
      rec.startedAt = startedAt;
      rec.shimPid = shimPid;
    } finally {
      this.starting.delete(rec.id);
    }
    this.store.saveContainer(rec);
    if (!(await waitForFile(f.dir, [f.pid, f.exit], START_TIMEOUT_MS))) {
      await this.forceKill(rec);
      throw new Error(`container ${rec.id} did not start within ${START_TIMEOUT_MS / 1000}s`);
    }
    const failure = runcError(f.runcLog) ?? (existsSync(f.pid) ? undefined : readText(f.stderr).trim() || 'the container process could not be started');
    if (failure && existsSync(f.exit)) {
      rec.startError = failure;
      this.store.saveContainer(rec);
      this.closeStdinOnce(rec.id);
      throw new Error(failure);
    }
    this.startPump(rec);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const rec = this.container(id);
    if (!rec || this.stateOf(rec) !== 'CONTAINER_RUNNING') return;
    rec.stopRequested = true;
    this.store.saveContainer(rec);
    const f = this.files(rec.id);
    if (timeoutSeconds > 0) {
      await this.signal(rec, rec.stopSignal ?? 'SIGTERM');
      if (await this.waitExit(rec, timeoutSeconds * 1000)) return;
    }
    await this.forceKill(rec);
    if (!existsSync(f.exit)) this.log.warn('container did not exit after SIGKILL', { container: rec.id });
  }

  async removeContainer(id: string): Promise<void> {
    const rec = this.container(id);
    if (!rec) return;
    const f = this.files(rec.id);
    if (this.stateOf(rec) === 'CONTAINER_RUNNING') {
      rec.stopRequested = true;
      this.store.saveContainer(rec);
      await this.forceKill(rec);
    }
    // Whatever runc still knows (a shim killed before runc could clean up).
    if (existsSync(path.join(this.store.runcRoot, rec.id))) await runCommand(this.runc, ['--root', this.store.runcRoot, 'delete', '-f', rec.id]);
    const pump = this.pumps.get(rec.id);
    if (pump) {
      pump.pump();
      pump.stop();
      this.pumps.delete(rec.id);
    }
    this.closeStdinOnce(rec.id);
    if (isMounted(f.rootfs)) {
      const r = await runCommand('umount', [f.rootfs]);
      if (r.code !== 0 && isMounted(f.rootfs)) await runCommand('umount', ['-l', f.rootfs]);
    }
    const left = removeCgroup(rec.cgroup);
    if (left.length > 0) {
      for (const pid of cgroupPids(rec.cgroup)) tryKill(pid, 'SIGKILL');
      await sleep(50);
      removeCgroup(rec.cgroup);
    }
    this.store.deleteContainer(rec.id);
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const rec of this.store.containers.values()) {
      if (filter?.id && !rec.id.startsWith(filter.id)) continue;
      if (filter?.podSandboxId && !rec.sandboxId.startsWith(filter.podSandboxId)) continue;
      if (!matchesLabels(rec.config.labels, filter?.labelSelector)) continue;
      const st = this.statusOf(rec);
      if (filter?.state && st.state !== filter.state) continue;
      out.push(st);
    }
    return out;
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    const rec = this.container(id);
    return rec ? this.statusOf(rec) : undefined;
  }

  private stateOf(rec: ContainerRecord): ContainerState {
    if (!rec.startedAt) return 'CONTAINER_CREATED';
    if (rec.startError) return 'CONTAINER_EXITED';
    if (existsSync(this.files(rec.id).exit)) return 'CONTAINER_EXITED';
    return shimAlive(rec.shimPid, rec.id) ? 'CONTAINER_RUNNING' : 'CONTAINER_EXITED';
  }

  private statusOf(rec: ContainerRecord): ContainerStatus {
    const f = this.files(rec.id);
    const base: ContainerStatus = {
      id: rec.id,
      podSandboxId: rec.sandboxId,
      metadata: rec.config.metadata,
      state: this.stateOf(rec),
      createdAt: rec.createdAt,
      image: rec.image,
      imageRef: rec.imageRef,
      labels: rec.config.labels,
      annotations: rec.config.annotations,
      logPath: rec.logPath,
    };
    if (rec.startedAt && !rec.startError) base.startedAt = rec.startedAt;
    if (base.state !== 'CONTAINER_EXITED') return base;
    if (rec.startError) return { ...base, exitCode: 128, reason: 'StartError', message: rec.startError, finishedAt: rec.startedAt };
    const text = readText(f.exit);
    const exit = parseExitFile(text);
    if (!exit) {
      // The shim vanished without a word (killed, or the node rebooted).
      return { ...base, exitCode: 255, reason: 'Unknown', message: 'the container process disappeared', finishedAt: mtime(f.pid) ?? rec.startedAt };
    }
    // The kernel's own count, not a guess from 137: a SIGKILL from anyone else is an Error.
    const oom = exit.code !== 0 && oomKillCount(rec.cgroup) > 0;
    return {
      ...base,
      exitCode: exit.code,
      reason: oom ? 'OOMKilled' : exit.code === 0 ? 'Completed' : 'Error',
      finishedAt: mtime(f.exit) ?? this.now(),
    };
  }

  // ---- exec, attach, port-forward ----

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult> {
    const rec = this.runningContainer(id);
    const pidFile = path.join(this.files(rec.id).dir, `exec-${randomBytes(6).toString('hex')}.pid`);
    return await new Promise<ExecSyncResult>((resolve) => {
      const child = spawn(this.runc, ['--root', this.store.runcRoot, 'exec', '--pid-file', pidFile, rec.id, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      let timedOut = false;
      const timer = timeoutMs > 0 ? setTimeout(() => {
        timedOut = true;
        killFromPidFile(pidFile);
        child.kill('SIGKILL');
      }, timeoutMs) : undefined;
      const done = (code: number) => {
        if (timer) clearTimeout(timer);
        rmSync(pidFile, { force: true });
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code, timedOut });
      };
      child.on('error', (e) => {
        err.push(Buffer.from(e.message));
        done(127);
      });
      child.on('close', (code, signal) => done(timedOut ? 137 : (code ?? (signal ? 137 : 1))));
    });
  }

  async exec(id: string, cmd: string[], opts: StreamOptions): Promise<StreamSession> {
    const rec = this.runningContainer(id);
    const pidFile = path.join(this.files(rec.id).dir, `exec-${randomBytes(6).toString('hex')}.pid`);
    const runcArgs = ['--root', this.store.runcRoot, 'exec', '--pid-file', pidFile, ...(opts.tty ? ['-t'] : []), rec.id, ...cmd];
    // runc in the foreground wants a controlling terminal for -t; `script` provides one (see shim.ts).
    if (opts.tty) return this.execTty(runcArgs, pidFile, opts);
    const child = spawn(this.runc, runcArgs, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (code, signal) => {
        rmSync(pidFile, { force: true });
        resolve(code ?? (signal ? 137 : 1));
      });
    });
    child.stdin?.on('error', () => {});
    return {
      ...(opts.stdin && child.stdin ? { stdin: child.stdin } : {}),
      ...(opts.stdout ? { stdout: child.stdout! } : {}),
      ...(opts.stderr ? { stderr: child.stderr! } : {}),
      resize: () => {},
      exit,
      close: () => {
        killFromPidFile(pidFile);
        child.kill('SIGKILL');
      },
    };
  }

  private execTty(runcArgs: string[], pidFile: string, opts: StreamOptions): StreamSession {
    const quoted = [this.runc, ...runcArgs].map(shellQuote).join(' ');
    const child = spawn('script', ['-qefc', `stty raw -echo 2>/dev/null; exec ${quoted}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, SHELL: '/bin/sh' },
    });
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (code, signal) => {
        rmSync(pidFile, { force: true });
        resolve(code ?? (signal ? 137 : 1));
      });
    });
    child.stdin.on('error', () => {});
    if (!opts.stdin) child.stdin.end();
    return {
      ...(opts.stdin ? { stdin: child.stdin } : {}),
      stdout: child.stdout,
      resize: (size) => {
        if (child.pid) void resizeTerminal(child.pid, size);
      },
      exit,
      close: () => {
        killFromPidFile(pidFile);
        child.kill('SIGKILL');
      },
    };
  }

  async attach(id: string, opts: StreamOptions): Promise<StreamSession> {
    const rec = this.runningContainer(id);
    const pump = this.pumps.get(rec.id) ?? this.startPump(rec);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const tty = rec.config.tty;
    const unsubscribe = pump.subscribe((stream, chunk) => {
      if (stream === 'stdout' && opts.stdout) stdout.write(chunk);
      else if (stream === 'stderr' && (tty ? opts.stdout : opts.stderr)) (tty ? stdout : stderr).write(chunk);
    });
    let closed = false;
    let stdin: Writable | undefined;
    let fd: number | undefined;
    if (opts.stdin && rec.config.stdin) {
      const once = rec.config.stdinOnce;
      fd = once ? this.stdinOnce.get(rec.id) : openSync(this.files(rec.id).stdin, 'r+');
      const theFd = fd;
      if (theFd !== undefined) {
        stdin = new Writable({
          write: (chunk: Buffer, _enc, cb) => {
            write(theFd, chunk, (err) => cb(err ?? null));
          },
          final: (cb) => {
            // stdinOnce: the end of the first attached stdin is the container's EOF.
            if (once) this.closeStdinOnce(rec.id);
            cb();
          },
        });
        stdin.on('error', () => {});
      }
    }
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((r) => (resolveExit = r));
    const finish = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      stdout.end();
      stderr.end();
      if (fd !== undefined && !rec.config.stdinOnce) tryClose(fd);
      const st = this.statusOf(rec);
      resolveExit(st.exitCode ?? 0);
    };
    void pump.whenDone().then(finish);
    return {
      ...(stdin ? { stdin } : {}),
      ...(opts.stdout ? { stdout } : {}),
      ...(opts.stderr && !tty ? { stderr } : {}),
      // A tty container's terminal is the one util-linux `script` holds under the shim.
      resize: (size) => {
        const script = tty && rec.shimPid ? childPids(rec.shimPid).find((pid) => readText(`/proc/${pid}/comm`).trim() === 'script') : undefined;
        if (script) void resizeTerminal(script, size);
      },
      exit,
      close: finish,
    };
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    const sb = this.sandbox(podSandboxId);
    if (!sb) throw new Error(`pod sandbox ${podSandboxId} not found`);
    const host = sb.config.linux.security.hostNetwork ? '127.0.0.1' : sb.ip;
    if (!host || sb.state !== 'SANDBOX_READY') throw new Error(`pod sandbox ${podSandboxId} has no network`);
    return await new Promise<Duplex>((resolve, reject) => {
      const sock = connect({ host, port });
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(sock);
      });
      sock.once('error', reject);
    });
  }

  // ---- stats ----

  async containerStats(id: string): Promise<ContainerStats | undefined> {
    const rec = this.container(id);
    if (!rec) return undefined;
    const s = readStats(rec.cgroup);
    if (!s) return undefined;
    return {
      containerId: rec.id,
      timestamp: this.now(),
      cpuUsageCoreNanoSeconds: s.cpuUsageNanos,
      memoryWorkingSetBytes: s.memoryWorkingSetBytes,
      memoryUsageBytes: s.memoryUsageBytes,
    };
  }

  async listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]> {
    const out: ContainerStats[] = [];
    for (const c of await this.listContainers(filter)) {
      if (c.state !== 'CONTAINER_RUNNING') continue;
      const s = await this.containerStats(c.id);
      if (s) out.push(s);
    }
    return out;
  }

  // ---- lifetime ----

  /** Removes every sandbox and container this state directory knows, the bridge and its nat rules (`k8ts agent --cleanup`). */
  async cleanupAll(): Promise<void> {
    for (const c of [...this.store.containers.values()]) await this.removeContainer(c.id);
    for (const s of [...this.store.sandboxes.values()]) await this.removePodSandbox(s.id);
    const listed = await runCommand(this.runc, ['--root', this.store.runcRoot, 'list', '-q']);
    for (const id of listed.stdout.split('\n').filter(Boolean)) await runCommand(this.runc, ['--root', this.store.runcRoot, 'delete', '-f', id]);
    await this.hostports.removeAll();
    if (this.net) await removeBridge(this.net);
    await releaseNsDir(this.nsDir);
    this.bridgeReady = undefined;
    removeEmptyCgroup(this.cgroupRoot);
    rmSync(path.join(this.opts.stateDir, 'ipam.json'), { force: true });
  }

  /** Stops watching; containers keep running for the next instance to adopt. */
  dispose(): void {
    for (const p of this.pumps.values()) p.stop();
    this.pumps.clear();
    for (const id of [...this.stdinOnce.keys()]) this.closeStdinOnce(id);
  }

  // ---- helpers ----

  private ensureBridge(): Promise<void> {
    if (!this.net) return Promise.reject(new Error('no podCIDR'));
    // Once per instance: rules of sandboxes adopted after a restart (or lost to a flush) come back.
    this.bridgeReady ??= ensureBridge(this.net).then(() => this.restoreHostports()).catch((e: unknown) => {
      this.bridgeReady = undefined;
      throw e;
    });
    return this.bridgeReady;
  }

  private async restoreHostports(): Promise<void> {
    for (const rec of this.store.sandboxes.values()) {
      const hp = rec.state === 'SANDBOX_READY' ? hostportSandbox(rec) : undefined;
      if (!hp) continue;
      // One sandbox's rules failing must not take the node's network down with it.
      await this.hostports.add(hp).catch((e: unknown) => this.log.warn('restoring hostPort rules failed', { pod: hp.pod, sandbox: rec.id, err: (e as Error).message }));
    }
  }

  private get nsDir(): string {
    return path.join(this.opts.stateDir, 'ns');
  }

  private sandbox(id: string): SandboxRecord | undefined {
    return this.store.sandboxes.get(id) ?? uniquePrefix(this.store.sandboxes, id);
  }

  private container(id: string): ContainerRecord | undefined {
    return this.store.containers.get(id) ?? uniquePrefix(this.store.containers, id);
  }

  private runningContainer(id: string): ContainerRecord {
    const rec = this.container(id);
    if (!rec) throw new Error(`container ${id} not found`);
    if (this.stateOf(rec) !== 'CONTAINER_RUNNING') throw new Error(`container ${rec.id} is not running`);
    return rec;
  }

  private containersOf(sandboxId: string): ContainerRecord[] {
    return [...this.store.containers.values()].filter((c) => c.sandboxId === sandboxId);
  }

  private files(id: string): ContainerFiles {
    const dir = this.store.containerDir(id);
    const bundle = path.join(dir, 'bundle');
    return {
      dir,
      bundle,
      rootfs: path.join(bundle, 'rootfs'),
      upper: path.join(dir, 'upper'),
      work: path.join(dir, 'work'),
      stdout: path.join(dir, 'stdout'),
      stderr: path.join(dir, 'stderr'),
      stdin: path.join(dir, 'stdin'),
      exit: path.join(dir, 'exit'),
      pid: path.join(dir, 'pid'),
      runcLog: path.join(dir, 'runc.log'),
      offsets: path.join(dir, 'log-offsets.json'),
    };
  }

  private startPump(rec: ContainerRecord): LogPump {
    const existing = this.pumps.get(rec.id);
    if (existing) return existing;
    const f = this.files(rec.id);
    const pump = new LogPump({
      dir: f.dir,
      sources: [
        { file: f.stdout, stream: 'stdout' },
        { file: f.stderr, stream: 'stderr' },
      ],
      target: rec.logPath,
      offsetsFile: f.offsets,
      exited: () => this.stateOf(rec) === 'CONTAINER_EXITED',
    });
    this.pumps.set(rec.id, pump);
    pump.start();
    void pump.whenDone().then(() => {
      if (this.pumps.get(rec.id) === pump) this.pumps.delete(rec.id);
      this.closeStdinOnce(rec.id);
    });
    return pump;
  }

  private closeStdinOnce(id: string): void {
    const fd = this.stdinOnce.get(id);
    if (fd === undefined) return;
    this.stdinOnce.delete(id);
    tryClose(fd);
  }

  private async signal(rec: ContainerRecord, sig: string): Promise<void> {
    const name = sig.replace(/^SIG/, '');
    const r = await runCommand(this.runc, ['--root', this.store.runcRoot, 'kill', rec.id, name]);
    if (r.code !== 0) {
      // runc may not have recorded the container yet; the pid file names the same process.
      const pid = Number(readText(this.files(rec.id).pid));
      if (pid > 0 && !existsSync(this.files(rec.id).exit)) tryKill(pid, `SIG${name}` as NodeJS.Signals);
    }
  }

  private async forceKill(rec: ContainerRecord): Promise<void> {
    await this.signal(rec, 'KILL');
    if (await this.waitExit(rec, 10_000)) return;
    // Last resort: the shim and everything in the cgroup.
    for (const pid of cgroupPids(rec.cgroup)) tryKill(pid, 'SIGKILL');
    if (rec.shimPid && shimAlive(rec.shimPid, rec.id)) tryKill(rec.shimPid, 'SIGKILL');
    await this.waitExit(rec, 2_000);
  }

  private async waitExit(rec: ContainerRecord, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.stateOf(rec) === 'CONTAINER_EXITED') return true;
      await sleep(20);
    }
    return this.stateOf(rec) === 'CONTAINER_EXITED';
  }
}

/**
 * Resolves true once any of the files exists in `dir`, false after `timeoutMs`.
 * Woken by inotify; the slow poll only covers events a watch can miss.
 */
async function waitForFile(dir: string, files: string[], timeoutMs: number): Promise<boolean> {
  const present = () => files.some((x) => existsSync(x));
  if (present()) return true;
  return await new Promise<boolean>((resolve) => {
    let w: FSWatcher | undefined;
    const finish = (ok: boolean) => {
      clearInterval(poll);
      clearTimeout(timer);
      w?.close();
      resolve(ok);
    };
    const check = () => {
      if (present()) finish(true);
    };
    const poll = setInterval(check, 50);
    const timer = setTimeout(() => finish(present()), timeoutMs);
    try {
      w = watch(dir, check);
      w.on('error', () => {});
    } catch {
      // No watch: the poll alone.
    }
    check();
  });
}

function uniquePrefix<T>(m: Map<string, T>, prefix: string): T | undefined {
  if (prefix.length < 6) return undefined;
  let found: T | undefined;
  for (const [k, v] of m) {
    if (!k.startsWith(prefix)) continue;
    if (found) return undefined;
    found = v;
  }
  return found;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function tryClose(fd: number): void {
  try {
    closeSync(fd);
  } catch {}
}

function killFromPidFile(file: string): void {
  const pid = Number(readText(file));
  if (pid > 0) tryKill(pid, 'SIGKILL');
}

/** The first error runc logged, without runc's own prefix noise. */
function runcError(logFile: string): string | undefined {
  for (const line of readText(logFile).split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if (e.level === 'error' && e.msg) return e.msg;
    } catch {}
  }
  return undefined;
}

function isMounted(target: string): boolean {
  const mounts = readText('/proc/self/mounts');
  const escaped = target.replace(/ /g, '\\040');
  return mounts.split('\n').some((l) => l.split(' ')[1] === escaped);
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Sets the size of script's terminal; the kernel then signals runc, which resizes the container's pty. */
async function resizeTerminal(scriptPid: number, size: { width: number; height: number }): Promise<void> {
  for (const c of childPids(scriptPid)) {
    const r = await runCommand('stty', ['-F', `/proc/${c}/fd/0`, 'cols', String(size.width), 'rows', String(size.height)]);
    if (r.code === 0) return;
  }
}

/** Whether the pod's containers share a PID namespace of the pod's own (not the host's). */
function sharesPID(config: PodSandboxConfig): boolean {
  return !!config.linux.security.sharePID && !config.linux.security.hostPID;
}
