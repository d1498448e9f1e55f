/**
 * hostPort for pods on the bridge, laid out as the CNI portmap plugin lays
 * it out, so operators who know that plugin recognise the rules:
 *
 * - nat PREROUTING and OUTPUT send traffic for a local address to the
 *   bridge's dispatch chain `K8TS-HP-<bridge>`;
 * - the dispatch chain holds one jump per mapping into the sandbox's own
 *   chain `K8TS-HPD-<sandbox>`, so tearing a sandbox down removes exactly its
 *   rules and nothing else;
 * - the sandbox chain marks connections from localhost and from the pod
 *   itself (hairpin) and DNATs to podIP:containerPort;
 * - `K8TS-HPMASQ-<bridge>` in POSTROUTING masquerades marked connections: a
 *   reply to 127.0.0.1 or to the pod's own address would otherwise never
 *   find its way back.
 *
 * Connections from 127.0.0.1 also need `route_localnet` on the bridge (the
 * kernel drops loopback-sourced packets routed elsewhere). That sysctl lets
 * whoever sits on the bridge address 127.0.0.0/8 as well, so a filter INPUT
 * rule drops such packets unless they belong to a connection the host made,
 * as kube-proxy does for the same reason.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { PodSandboxConfig, PortMapping } from '../interface.js';
import { mustRun, runCommand } from './run-command.js';

/** Bit 13, portmap's default: a connection to masquerade after DNAT. */
export const MASQ_MARK = '0x2000/0x2000';

export interface HostportChains {
  /** nat: per-mapping jumps into sandbox chains. */
  dispatch: string;
  /** nat: masquerades marked connections. */
  masq: string;
}

/** Chain names end at 28 characters; bridge names at 15. */
export function hostportChains(bridge: string): HostportChains {
  return { dispatch: `K8TS-HP-${bridge}`, masq: `K8TS-HPMASQ-${bridge}` };
}

export function sandboxChain(sandboxId: string): string {
  return `K8TS-HPD-${sandboxId.slice(0, 16)}`;
}

const SANDBOX_CHAIN = /^K8TS-HPD-[0-9a-f]{1,16}$/;

export interface HostportSandbox {
  id: string;
  ip: string;
  /** `namespace/name`, written into rule comments for whoever reads the rules. */
  pod: string;
  mappings: PortMapping[];
}

export interface HostportRules {
  chain: string;
  /** Rules of the sandbox chain, in order, each the arguments after `-A <chain>`. */
  rules: string[][];
  /** Rules of the dispatch chain that send a mapping's traffic into the sandbox chain. */
  jumps: string[][];
}

const anyAddress = (ip: string | undefined) => !ip || ip === '0.0.0.0' || ip === '::';

/** The mappings that need rules: a hostPort set, duplicates once. */
export function effectiveMappings(mappings: PortMapping[]): PortMapping[] {
  const seen = new Set<string>();
  const out: PortMapping[] = [];
  for (const m of mappings) {
    if (!m.hostPort || m.hostPort <= 0) continue;
    const key = `${m.protocol}/${m.hostPort}/${anyAddress(m.hostIP) ? '' : m.hostIP}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

export type MappingCheck = { ok: true } | { ok: false; message: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Refuses what the rules cannot express instead of half-forwarding it. */
export function checkMappings(mappings: PortMapping[]): MappingCheck {
  for (const m of effectiveMappings(mappings)) {
    const what = `hostPort ${m.hostPort}/${m.protocol}`;
    if (!['TCP', 'UDP', 'SCTP'].includes(m.protocol)) return { ok: false, message: `${what}: unsupported protocol` };
    if (!Number.isInteger(m.hostPort) || m.hostPort! > 65535) return { ok: false, message: `${what}: must be between 1 and 65535` };
    if (!Number.isInteger(m.containerPort) || m.containerPort < 1 || m.containerPort > 65535) return { ok: false, message: `${what}: containerPort ${m.containerPort} must be between 1 and 65535` };
    if (!anyAddress(m.hostIP) && !IPV4.test(m.hostIP!)) return { ok: false, message: `${what}: hostIP ${m.hostIP} is not an IPv4 address (only IPv4 host ports are forwarded)` };
  }
  return { ok: true };
}

/** The iptables arguments for one sandbox's mappings: a pure function of its id, IP and mappings. */
export function hostportRules(sb: HostportSandbox): HostportRules {
  const chain = sandboxChain(sb.id);
  const rules: string[][] = [];
  const jumps: string[][] = [];
  for (const m of effectiveMappings(sb.mappings)) {
    const proto = m.protocol.toLowerCase();
    const match = ['-p', proto, ...(anyAddress(m.hostIP) ? [] : ['-d', `${m.hostIP}/32`])];
    const port = ['--dport', String(m.hostPort)];
    jumps.push([...match, ...port, '-m', 'comment', '--comment', `${sb.pod}:${m.hostPort}/${proto}`, '-j', chain]);
    for (const src of [`${sb.ip}/32`, '127.0.0.1/32']) rules.push([...match, '-s', src, ...port, '-j', 'MARK', '--set-xmark', MASQ_MARK]);
    rules.push([...match, ...port, '-j', 'DNAT', '--to-destination', `${sb.ip}:${m.containerPort}`]);
  }
  return { chain, rules, jumps };
}

export interface HostportConflict {
  mapping: PortMapping;
  /** `namespace/name` of the pod holding it. */
  pod: string;
}

/** Same protocol and port, and the addresses overlap (either is the wildcard or both are equal): the scheduler's NodePorts rule. */
export function findHostportConflict(wanted: PortMapping[], held: { pod: string; mappings: PortMapping[] }[]): HostportConflict | undefined {
  for (const w of effectiveMappings(wanted)) {
    for (const h of held) {
      for (const m of effectiveMappings(h.mappings)) {
        if (m.protocol !== w.protocol || m.hostPort !== w.hostPort) continue;
        if (anyAddress(m.hostIP) || anyAddress(w.hostIP) || m.hostIP === w.hostIP) return { mapping: w, pod: h.pod };
      }
    }
  }
  return undefined;
}

export function conflictMessage(c: HostportConflict): string {
  const ip = anyAddress(c.mapping.hostIP) ? '0.0.0.0' : c.mapping.hostIP;
  return `hostPort ${c.mapping.hostPort}/${c.mapping.protocol} on ${ip} is already allocated to pod ${c.pod} on this node`;
}

/** What the runtime records of a sandbox, as far as hostPorts go. */
export interface SandboxLike {
  id: string;
  ip?: string;
  state: string;
  config: Pick<PodSandboxConfig, 'metadata' | 'portMappings' | 'linux'>;
}

const podOf = (s: SandboxLike) => `${s.config.metadata.namespace}/${s.config.metadata.name}`;

/**
 * Whether a new sandbox may have its hostPorts: they must be expressible and
 * free among the node's ready sandboxes (host-network ones included, their
 * ports are the host's). The scheduler's NodePorts plugin normally keeps
 * such pods apart; this is the node's own refusal when it did not.
 */
export function admitHostports(config: Pick<PodSandboxConfig, 'portMappings'>, sandboxes: Iterable<SandboxLike>): MappingCheck {
  const checked = checkMappings(config.portMappings);
  if (!checked.ok) return checked;
  const held = [...sandboxes].filter((s) => s.state === 'SANDBOX_READY').map((s) => ({ pod: podOf(s), mappings: s.config.portMappings }));
  const conflict = findHostportConflict(config.portMappings, held);
  return conflict ? { ok: false, message: conflictMessage(conflict) } : { ok: true };
}

/** The rules' input for a sandbox on the bridge; undefined when it has nothing to forward. */
export function hostportSandbox(s: SandboxLike): HostportSandbox | undefined {
  if (!s.ip || s.config.linux.security.hostNetwork) return undefined;
  const mappings = effectiveMappings(s.config.portMappings);
  return mappings.length ? { id: s.id, ip: s.ip, pod: podOf(s), mappings } : undefined;
}

/** Splits one line of `iptables -S` into arguments (comments come back double-quoted). */
export function splitRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < line.length) cur += line[++i];
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

export interface HostportOptions {
  bridge: string;
}

/** The host side: iptables state for one bridge's hostPorts. Every method is idempotent. */
export class Hostports {
  readonly chains: HostportChains;
  private baseReady: Promise<void> | undefined;

  constructor(private readonly opts: HostportOptions) {
    this.chains = hostportChains(opts.bridge);
  }

  /** Installs (or re-installs after a restart or a flush) the sandbox's rules. */
  async add(sb: HostportSandbox): Promise<void> {
    const r = hostportRules(sb);
    if (r.jumps.length === 0) return;
    await this.ensureBase();
    // A chain declared in a restore file is created or emptied: the rewrite is atomic and never duplicates.
    const restore = ['*nat', `:${r.chain} - [0:0]`, ...r.rules.map((args) => `-A ${r.chain} ${args.join(' ')}`), 'COMMIT', ''].join('\n');
    await mustRun('iptables-restore', ['-w', '5', '--noflush'], { input: restore });
    for (const j of r.jumps) await ensureRule('nat', this.chains.dispatch, j);
    // UDP "connections" seen before the rule existed would keep bypassing it.
    for (const m of effectiveMappings(sb.mappings)) {
      if (m.protocol === 'UDP') await runCommand('conntrack', ['-D', '-p', 'udp', '--orig-port-dst', String(m.hostPort)]);
    }
  }

  /** Removes the sandbox's jumps and chain, whatever mappings they were made from. */
  async remove(sandboxId: string): Promise<void> {
    await this.removeChain(sandboxChain(sandboxId));
  }

  /** Removes every hostPort rule of this bridge, including chains whose sandbox record is gone (`--cleanup`). */
  async removeAll(): Promise<void> {
    const { dispatch, masq } = this.chains;
    const listed = await runCommand('iptables', ['-w', '5', '-t', 'nat', '-S', dispatch]);
    const orphans = new Set<string>();
    for (const line of listed.stdout.split('\n')) {
      const target = /-j (K8TS-HPD-\S+)/.exec(line)?.[1];
      if (target && SANDBOX_CHAIN.test(target)) orphans.add(target);
    }
    for (const c of orphans) await this.removeChain(c);
    for (const [table, chain, rule] of this.baseJumps()) await deleteAll(table, chain, rule);
    for (const c of [dispatch, masq]) {
      await iptables(['-t', 'nat', '-F', c]);
      await iptables(['-t', 'nat', '-X', c]);
    }
    this.baseReady = undefined;
  }

  private async removeChain(chain: string): Promise<void> {
    const listed = await runCommand('iptables', ['-w', '5', '-t', 'nat', '-S', this.chains.dispatch]);
    for (const line of listed.stdout.split('\n')) {
      const args = splitRule(line.trim());
      if (args[0] !== '-A' || args[args.length - 1] !== chain || args[args.length - 2] !== '-j') continue;
      await iptables(['-t', 'nat', '-D', ...args.slice(1)]);
    }
    if ((await iptables(['-t', 'nat', '-F', chain])) === 0) await iptables(['-t', 'nat', '-X', chain]);
  }

  private baseJumps(): [string, string, string[]][] {
    const { dispatch, masq } = this.chains;
    const b = this.opts.bridge;
    return [
      ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', `k8ts hostports on ${b}`, '-j', dispatch]],
      ['nat', 'OUTPUT', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', `k8ts hostports on ${b}`, '-j', dispatch]],
      ['nat', 'POSTROUTING', ['-m', 'comment', '--comment', `k8ts hostport masquerade on ${b}`, '-j', masq]],
      ['filter', 'INPUT', ['-i', b, '-d', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-m', 'comment', '--comment', `k8ts no localnet from ${b}`, '-j', 'DROP']],
    ];
  }

  private ensureBase(): Promise<void> {
    this.baseReady ??= this.installBase().catch((e: unknown) => {
      this.baseReady = undefined;
      throw e;
    });
    return this.baseReady;
  }

  private async installBase(): Promise<void> {
    const { dispatch, masq } = this.chains;
    for (const c of [dispatch, masq]) {
      if ((await iptables(['-t', 'nat', '-L', c, '-n'])) !== 0) await runCommand('iptables', ['-w', '5', '-t', 'nat', '-N', c]);
    }
    await ensureRule('nat', masq, ['-m', 'mark', '--mark', MASQ_MARK, '-j', 'MASQUERADE']);
    for (const [table, chain, rule] of this.baseJumps()) await ensureRule(table, chain, rule);
    const localnet = `/proc/sys/net/ipv4/conf/${this.opts.bridge}/route_localnet`;
    if (existsSync(localnet)) writeFileSync(localnet, '1');
  }
}

async function iptables(args: string[]): Promise<number> {
  return (await runCommand('iptables', ['-w', '5', ...args])).code;
}

async function ensureRule(table: string, chain: string, rule: string[]): Promise<void> {
  if ((await iptables(['-t', table, '-C', chain, ...rule])) === 0) return;
  await mustRun('iptables', ['-w', '5', '-t', table, '-A', chain, ...rule]);
}

async function deleteAll(table: string, chain: string, rule: string[]): Promise<void> {
  while ((await iptables(['-t', table, '-D', chain, ...rule])) === 0) {
    // a rule added twice is removed twice
  }
}
