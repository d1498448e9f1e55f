/** Upstream SetDefaults_PriorityClass and the built-in system priority classes. */
import { GROUP, VERSION, type PriorityClassT } from './types.js';

export function defaultPriorityClass(pc: PriorityClassT): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** Values above this are reserved for system priority classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;

const systemClasses: { name: string; value: number; description: string }[] = [
  { name: 'system-node-critical', value: SYSTEM_CRITICAL_PRIORITY + 1000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: SYSTEM_CRITICAL_PRIORITY, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** The priority classes every cluster has, created by the server at start. */
export function bootstrapPriorityClasses(): PriorityClassT[] {
  return systemClasses.map((c) => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'PriorityClass',
    metadata: { name: c.name },
    value: c.value,
    globalDefault: false,
    description: c.description,
    preemptionPolicy: 'PreemptLowerPriority',
  }));
}

/** Upstream IsKnownSystemPriorityClass: undefined when it is, else why not. */
export function systemPriorityClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = systemClasses.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}
