/**
 * ContainerConfig + image config + sandbox -> OCI runtime spec (config.json)
 * for runc. A pure function: everything it needs from the host (resolved
 * user, host bounding set, paths of the sandbox's files) is an input.
 */
import type { ContainerConfig, Mount, PodSandboxConfig } from '../interface.js';
import { effectiveCapabilities } from './capabilities.js';
import type { ImageRuntimeConfig } from './layer-source.js';
import type { ResolvedUser } from './user.js';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[]; ambient: string[] };
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations: Record<string, string>;
  linux: {
    cgroupsPath: string;
    resources: { devices: { allow: boolean; access: string }[] };
    namespaces: { type: string; path?: string }[];
    sysctl?: Record<string, string>;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    rootfsPropagation?: string;
  };
}

export interface SpecInput {
  config: ContainerConfig;
  sandbox: PodSandboxConfig;
  image: ImageRuntimeConfig;
  user: ResolvedUser;
  hostBounding: string[];
  /** runc's cgroup, e.g. `/k8ts/<sandbox>/<container>/ctr`. */
  cgroupsPath: string;
  /** `/var/run/netns/<name>`; absent with host networking. */
  netnsPath?: string;
  /** A bind-mounted IPC namespace every container of the pod joins; absent: a new one. */
  ipcnsPath?: string;
  /** The pod's shared /dev/shm on the host; absent: a tmpfs of the container's own. */
  shmPath?: string;
  /** Another container's PID namespace (`/proc/<pid>/ns/pid`) to join; absent: a new one. */
  pidnsPath?: string;
  /** Host paths of the sandbox's /etc files. */
  etc: { hosts: string; resolvConf: string; hostname: string };
}

export type ArgvResult = { ok: true; args: string[] } | { ok: false; message: string };

/** Kubernetes' rule: `command` replaces the entrypoint (and drops the image's cmd), `args` replace cmd. */
export function containerArgv(config: Pick<ContainerConfig, 'command' | 'args'>, image: ImageRuntimeConfig): ArgvResult {
  const hasCommand = (config.command?.length ?? 0) > 0;
  const hasArgs = (config.args?.length ?? 0) > 0;
  const entry = hasCommand ? config.command! : (image.entrypoint ?? []);
  const rest = hasArgs ? config.args! : hasCommand ? [] : (image.cmd ?? []);
  const args = [...entry, ...rest];
  if (args.length === 0) return { ok: false, message: 'no command specified' };
  return { ok: true, args };
}

/** Later entries replace earlier ones with the same name in place, as containerd's WithEnv. */
export function mergeEnv(...lists: string[][]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const list of lists) {
    for (const kv of list) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, out.length);
        out.push(kv);
      } else out[at] = kv;
    }
  }
  return out;
}

const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function userMount(m: Mount): OciMount {
  const options = ['rbind'];
  options.push(m.propagation === 'PROPAGATION_BIDIRECTIONAL' ? 'rshared' : m.propagation === 'PROPAGATION_HOST_TO_CONTAINER' ? 'rslave' : 'rprivate');
  if (m.readonly) options.push('ro');
  return { destination: m.containerPath, type: 'bind', source: m.hostPath, options };
}

export function buildSpec(inp: SpecInput): { ok: true; spec: OciSpec } | { ok: false; message: string } {
  const { config, sandbox, image } = inp;
  const sec = config.linux.securityContext ?? {};
  const privileged = sec.privileged === true;
  const hostNetwork = sandbox.linux.security.hostNetwork;
  const argv = containerArgv(config, image);
  if (!argv.ok) return argv;

  const envLists = [[DEFAULT_PATH_ENV], image.env ?? []];
  if (!hostNetwork) envLists.push([`HOSTNAME=${sandbox.hostname}`]);
  if (config.tty) envLists.push(['TERM=xterm']);
  envLists.push(config.envs.map((e) => `${e.key}=${e.value}`));

  const caps = effectiveCapabilities(
    { add: sec.capabilities?.addCapabilities, drop: sec.capabilities?.dropCapabilities, privileged },
    inp.hostBounding,
  );
  // A non-root process keeps capabilities only in its bounding set, so a setuid binary can still gain them but the process itself has none.
  const asRoot = inp.user.uid === 0;

  const ro = (o: string[]) => (privileged ? o : [...o, 'ro']);
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    inp.shmPath
      ? { destination: '/dev/shm', type: 'bind', source: inp.shmPath, options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'nodev'] }
      : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ro(['nosuid', 'noexec', 'nodev']) },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ro(['nosuid', 'noexec', 'nodev', 'relatime']) },
  ];
  const etcOpts = (sec.readonlyRootfs ? ['rbind', 'rprivate', 'ro'] : ['rbind', 'rprivate']);
  const userPaths = new Set(config.mounts.map((m) => m.containerPath));
  // The pod's own files lose to a volume mounted at the same place, as in kubelet.
  if (!userPaths.has('/etc/hosts')) mounts.push({ destination: '/etc/hosts', type: 'bind', source: inp.etc.hosts, options: etcOpts });
  if (!userPaths.has('/etc/hostname')) mounts.push({ destination: '/etc/hostname', type: 'bind', source: inp.etc.hostname, options: etcOpts });
  if (!userPaths.has('/etc/resolv.conf')) mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: inp.etc.resolvConf, options: etcOpts });
  // Parents before children, whatever order the pod listed them in.
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const user = [...config.mounts].sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  for (const m of user) mounts.push(userMount(m));

  const namespaces: { type: string; path?: string }[] = [{ type: 'mount' }];
  if (!sandbox.linux.security.hostPID) namespaces.push(inp.pidnsPath ? { type: 'pid', path: inp.pidnsPath } : { type: 'pid' });
  if (!sandbox.linux.security.hostIPC) namespaces.push(inp.ipcnsPath ? { type: 'ipc', path: inp.ipcnsPath } : { type: 'ipc' });
  if (!hostNetwork) {
    if (!inp.netnsPath) return { ok: false, message: 'the sandbox has no network namespace' };
    namespaces.push({ type: 'network', path: inp.netnsPath }, { type: 'uts' });
  }

  let rootfsPropagation: string | undefined;
  if (config.mounts.some((m) => m.propagation === 'PROPAGATION_BIDIRECTIONAL')) rootfsPropagation = 'rshared';
  else if (config.mounts.some((m) => m.propagation === 'PROPAGATION_HOST_TO_CONTAINER')) rootfsPropagation = 'rslave';

  const sysctl: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox.linux.sysctls ?? {})) {
    // Network sysctls of a host-network pod would change the node itself.
    if (hostNetwork && k.startsWith('net.')) continue;
    sysctl[k] = v;
  }

  const oom = config.linux.resources?.oomScoreAdj;
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: config.tty,
      user: { uid: inp.user.uid, gid: inp.user.gid, ...(inp.user.additionalGids.length ? { additionalGids: inp.user.additionalGids } : {}) },
      args: argv.args,
      env: mergeEnv(...envLists),
      cwd: config.workingDir || image.workingDir || '/',
      capabilities: {
        bounding: caps,
        effective: asRoot ? caps : [],
        permitted: asRoot ? caps : [],
        inheritable: [],
        ambient: [],
      },
      noNewPrivileges: sec.noNewPrivs === true,
    },
    root: { path: 'rootfs', readonly: sec.readonlyRootfs === true },
    mounts,
    annotations: { ...config.annotations },
    linux: {
      cgroupsPath: inp.cgroupsPath,
      resources: { devices: [{ allow: privileged, access: 'rwm' }] },
      namespaces,
    },
  };
  // Negative values need CAP_SYS_RESOURCE, which the node may not have; runc then fails to start anything.
  if (oom !== undefined) spec.process.oomScoreAdj = Math.min(1000, Math.max(0, Math.trunc(oom)));
  if (!hostNetwork) spec.hostname = sandbox.hostname;
  if (Object.keys(sysctl).length > 0) spec.linux.sysctl = sysctl;
  if (rootfsPropagation) spec.linux.rootfsPropagation = rootfsPropagation;
  if (!privileged) {
    spec.linux.maskedPaths = MASKED_PATHS;
    spec.linux.readonlyPaths = READONLY_PATHS;
  }
  return { ok: true, spec };
}
