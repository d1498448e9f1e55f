/**
 * Pod networking without CNI: a named network namespace per pod (`ip netns`)
 * with one end of a veth pair as eth0, the other end on the node's bridge,
 * whose address is the gateway (.1 of the podCIDR). Traffic leaving the node
 * is masqueraded; a pod reaching itself through a service address needs the
 * hairpin flag plus a masquerade rule of its own.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { type Cidr, gatewayOf } from './ipam.js';
import { mustRun, runCommand } from './run-command.js';

export const NETNS_DIR = '/var/run/netns';

export interface NetworkOptions {
  bridge: string;
  cidr: Cidr;
  cidrText: string;
  /** Masquerade traffic from pods that leaves through another interface. */
  masquerade: boolean;
}

export interface PodNetwork {
  netns: string;
  hostVeth: string;
  ip: string;
}

export function netnsName(sandboxId: string): string {
  return `k8ts-${sandboxId.slice(0, 12)}`;
}

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** 15 characters, the kernel's limit for interface names. */
export function hostVethName(sandboxId: string): string {
  return `k8ts${sandboxId.slice(0, 11)}`;
}

/** The nat chain of one bridge's pods (iptables chain names end at 28 characters; bridge names at 15). */
export function natChain(bridge: string): string {
  return `K8TS-POD-${bridge}`;
}

async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;
}

async function iptables(args: string[]): Promise<number> {
  return (await runCommand('iptables', ['-w', '5', ...args])).code;
}

/** Ensures a rule is present once (`-C` before `-A`). */
async function ensureRule(table: string, chain: string, rule: string[]): Promise<void> {
  if ((await iptables(['-t', table, '-C', chain, ...rule])) === 0) return;
  await mustRun('iptables', ['-w', '5', '-t', table, '-A', chain, ...rule]);
}

export async function ensureBridge(opts: NetworkOptions): Promise<void> {
  const gw = gatewayOf(opts.cidr);
  if (!(await linkExists(opts.bridge))) {
    const r = await runCommand('ip', ['link', 'add', opts.bridge, 'type', 'bridge']);
    if (r.code !== 0 && !(await linkExists(opts.bridge))) throw new Error(`creating bridge ${opts.bridge}: ${r.stderr.trim()}`);
  }
  const addrs = await mustRun('ip', ['-o', '-4', 'addr', 'show', 'dev', opts.bridge]);
  if (!addrs.includes(` ${gw}/${opts.cidr.prefix} `)) {
    const r = await runCommand('ip', ['addr', 'add', `${gw}/${opts.cidr.prefix}`, 'dev', opts.bridge]);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`addressing bridge ${opts.bridge}: ${r.stderr.trim()}`);
  }
  await mustRun('ip', ['link', 'set', opts.bridge, 'up']);
  // Pod -> service VIP -> pod is routed through the bridge; the global ip_forward stays untouched.
  const fwd = `/proc/sys/net/ipv4/conf/${opts.bridge}/forwarding`;
  if (existsSync(fwd)) writeFileSync(fwd, '1');
  if (opts.masquerade) {
    const chain = natChain(opts.bridge);
    if ((await iptables(['-t', 'nat', '-L', chain, '-n'])) !== 0) await runCommand('iptables', ['-w', '5', '-t', 'nat', '-N', chain]);
    await ensureRule('nat', 'POSTROUTING', ['-s', opts.cidrText, '-m', 'comment', '--comment', `k8ts pods on ${opts.bridge}`, '-j', chain]);
    await ensureRule('nat', chain, ['!', '-o', opts.bridge, '-j', 'MASQUERADE']);
  }
}

/** Removes the bridge and its nat rules (agent `--cleanup`); pods must be gone. */
export async function removeBridge(opts: NetworkOptions): Promise<void> {
  const chain = natChain(opts.bridge);
  while ((await iptables(['-t', 'nat', '-D', 'POSTROUTING', '-s', opts.cidrText, '-m', 'comment', '--comment', `k8ts pods on ${opts.bridge}`, '-j', chain])) === 0) {
    // a rule added twice is removed twice
  }
  await iptables(['-t', 'nat', '-F', chain]);
  await iptables(['-t', 'nat', '-X', chain]);
  if (await linkExists(opts.bridge)) await runCommand('ip', ['link', 'del', opts.bridge]);
}

export async function setupPodNetwork(sandboxId: string, ip: string, opts: NetworkOptions): Promise<PodNetwork> {
  const netns = netnsName(sandboxId);
  const veth = hostVethName(sandboxId);
  const gw = gatewayOf(opts.cidr);
  try {
    // Every command spawned costs a fork and an exec per pod: one batch on the host, one in the netns.
    await mustRun('ip', ['-batch', '-'], {
      input: [
        `netns add ${netns}`,
        `link add ${veth} type veth peer name eth0 netns ${netns}`,
        `link set ${veth} master ${opts.bridge}`,
        `link set ${veth} type bridge_slave hairpin on`,
        `link set ${veth} up`,
      ].join('\n'),
    });
    await mustRun('ip', ['-n', netns, '-batch', '-'], {
      input: [
        'link set lo up',
        `addr add ${ip}/${opts.cidr.prefix} dev eth0`,
        'link set eth0 up',
        `route add default via ${gw}`,
      ].join('\n'),
    });
    // Appended without a check first: the address is fresh, and teardown removes duplicates anyway.
    if (opts.masquerade) await mustRun('iptables', ['-w', '5', '-t', 'nat', '-A', natChain(opts.bridge), ...hairpinRule(ip)]);
  } catch (e) {
    await teardownPodNetwork({ netns, hostVeth: veth, ip }, opts);
    throw e;
  }
  return { netns, hostVeth: veth, ip };
}

function hairpinRule(ip: string): string[] {
  return ['-s', `${ip}/32`, '-d', `${ip}/32`, '-j', 'MASQUERADE'];
}

/** Idempotent: whatever part is already gone is skipped. */
export async function teardownPodNetwork(net: PodNetwork, opts: NetworkOptions): Promise<void> {
  if (opts.masquerade) {
    while ((await iptables(['-t', 'nat', '-D', natChain(opts.bridge), ...hairpinRule(net.ip)])) === 0) {
      // duplicates from an interrupted setup
    }
  }
  if (await linkExists(net.hostVeth)) await runCommand('ip', ['link', 'del', net.hostVeth]);
  if (existsSync(netnsPath(net.netns))) {
    const r = await runCommand('ip', ['netns', 'del', net.netns]);
    if (r.code !== 0 && existsSync(netnsPath(net.netns))) throw new Error(`removing network namespace ${net.netns}: ${r.stderr.trim()}`);
  }
}
