/**
 * Linux capabilities: the default set containers get (the same 14 as Docker
 * and containerd), pod securityContext add/drop with `ALL`, and the host's
 * bounding set, which caps what a privileged container can be given (a
 * capability missing there makes runc fail).
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Capability names by bit number (linux/capability.h). */
export const CAPABILITY_BITS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export function normalizeCapability(name: string): string {
  const up = name.toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** Capabilities named by a hex mask as in /proc/<pid>/status (`CapBnd`). */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return CAPABILITY_BITS.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

export function hostBoundingSet(): string[] {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return capabilitiesFromMask(m[1]!);
  } catch {}
  return [...CAPABILITY_BITS];
}

export interface CapabilityRequest {
  add?: string[];
  drop?: string[];
  privileged?: boolean;
}

/** Drops apply before adds, as in containerd: `drop: [ALL], add: [NET_BIND_SERVICE]` keeps one. */
export function effectiveCapabilities(req: CapabilityRequest, hostBounding: string[]): string[] {
  if (req.privileged) return [...hostBounding];
  const add = (req.add ?? []).map(normalizeCapability);
  const drop = (req.drop ?? []).map(normalizeCapability);
  let caps = drop.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  if (add.includes('CAP_ALL')) caps = [...hostBounding];
  else for (const c of add) if (!caps.includes(c)) caps.push(c);
  return caps;
}
