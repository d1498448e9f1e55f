/**
 * Flags shared by `k8ts sim` and `k8ts server --sim-nodes`, and turning them
 * into simulated-node options.
 */
import { UsageError, type FlagSpec, type FlagValues } from './flags.js';
import type { SimulatedNodesOptions, Taint } from '../sim/simulated-nodes.js';
import { parseQuantity } from '../machinery/quantity.js';

export const simNodeFlags: FlagSpec[] = [
  { name: 'node-cpu', kind: 'string', usage: 'CPU capacity of each simulated node', default: '32' },
  { name: 'node-memory', kind: 'string', usage: 'Memory capacity of each simulated node', default: '256Gi' },
  { name: 'node-pods', kind: 'string', usage: 'Pod capacity of each simulated node', default: '110' },
  { name: 'node-label', kind: 'strings', usage: 'Label for the simulated nodes, key=value (repeatable)', default: [] },
  { name: 'node-taint', kind: 'strings', usage: 'Taint for the simulated nodes, key=value:Effect (repeatable)', default: [] },
  { name: 'node-prefix', kind: 'string', usage: 'Name prefix of the simulated nodes', default: 'sim-node-' },
  { name: 'node-lease-duration-seconds', kind: 'int', usage: 'Duration of the simulated nodes\' Leases; each renews at a quarter of it, as kubelets do', default: 40 },
];

function quantity(flag: string, v: string): string {
  try {
    parseQuantity(v);
    return v;
  } catch (err) {
    throw new UsageError(`invalid value "${v}" for flag -${flag}: ${(err as Error).message}`);
  }
}

export function simNodeOptions(values: FlagValues): Pick<SimulatedNodesOptions, 'capacity' | 'labels' | 'taints' | 'prefix' | 'leaseDurationSeconds' | 'leaseRenewIntervalMs'> {
  const labels: Record<string, string> = {};
  for (const l of (values['node-label'] as string[]) ?? []) {
    const i = l.indexOf('=');
    if (i <= 0) throw new UsageError(`invalid value "${l}" for flag -node-label: want key=value`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const lease = Number(values['node-lease-duration-seconds']);
  if (!Number.isInteger(lease) || lease <= 0) throw new UsageError(`invalid value "${values['node-lease-duration-seconds']}" for flag -node-lease-duration-seconds: must be a positive integer`);
  const taints: Taint[] = [];
  for (const t of (values['node-taint'] as string[]) ?? []) {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
    if (!m) throw new UsageError(`invalid value "${t}" for flag -node-taint: want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
    taints.push({ key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! } as Taint);
  }
  return {
    prefix: String(values['node-prefix']),
    capacity: { cpu: quantity('node-cpu', String(values['node-cpu'])), memory: quantity('node-memory', String(values['node-memory'])), pods: quantity('node-pods', String(values['node-pods'])) },
    labels,
    taints,
    leaseDurationSeconds: lease,
    leaseRenewIntervalMs: lease * 250,
  };
}
