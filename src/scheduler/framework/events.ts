/**
 * Cluster events that can make an unschedulable pod schedulable. Plugins
 * register the events they care about (upstream EnqueueExtensions) and the
 * queue only moves a pod back when one of the plugins that rejected it
 * registered the event, and its hint (if any) says Queue.
 */
import type { PodT } from '../../api/core/v1/types.js';

export type EventResource = 'Pod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'Namespace' | 'PodSchedulingGates' | '*';

/** Bit flags, as upstream ActionType. */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** Any other update. */
  Update: 2048,
} as const;

export const ALL_UPDATES = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048;
export const ALL_ACTIONS = 1 | 2 | ALL_UPDATES;

export interface ClusterEvent {
  resource: EventResource;
  /** One or more ActionType flags. */
  actionType: number;
  /** For logs: what happened, e.g. "NodeAdd". */
  label?: string;
}

export type QueueingHint = 'Queue' | 'QueueSkip';

/** Decides whether a concrete event could make this pod schedulable. */
export type QueueingHintFn = (pod: PodT, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  hint?: QueueingHintFn;
}

export function eventMatches(registered: ClusterEvent, happened: ClusterEvent): boolean {
  return (registered.resource === '*' || registered.resource === happened.resource) && (registered.actionType & happened.actionType) !== 0;
}

/** Events upstream's queue reacts to, ready made. */
export const Events = {
  nodeAdd: { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' },
  nodeUpdate: (flags: number): ClusterEvent => ({ resource: 'Node', actionType: flags, label: 'NodeUpdate' }),
  assignedPodAdd: { resource: 'Pod', actionType: ActionType.Add, label: 'AssignedPodAdd' },
  assignedPodUpdate: (flags: number): ClusterEvent => ({ resource: 'Pod', actionType: flags, label: 'AssignedPodUpdate' }),
  assignedPodDelete: { resource: 'Pod', actionType: ActionType.Delete, label: 'AssignedPodDelete' },
  /** The periodic flush of pods that stayed unschedulable too long. */
  unschedulableTimeout: { resource: '*', actionType: ALL_ACTIONS, label: 'UnschedulableTimeout' },
  forceActivate: { resource: '*', actionType: ALL_ACTIONS, label: 'ForceActivate' },
} satisfies Record<string, ClusterEvent | ((flags: number) => ClusterEvent)>;
