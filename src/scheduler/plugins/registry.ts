/**
 * The in-tree plugins, by upstream name: an explicit table, passed to the
 * framework (never filled at import time). Args arrive as parsed YAML and
 * are validated by the per-plugin validators before construction.
 */
import type { Handle, Plugin } from '../framework/interface.js';
import type { PluginFactory, PluginFactoryResult, Registry } from '../framework/framework.js';
import { DefaultBinder } from './default-binder/default-binder.js';
import { DefaultPreemption, validateDefaultPreemptionArgs, type DefaultPreemptionArgs } from './default-preemption/default-preemption.js';
import { ImageLocality } from './image-locality/image-locality.js';
import { InterPodAffinity, validateInterPodAffinityArgs, type InterPodAffinityArgs } from './inter-pod-affinity/inter-pod-affinity.js';
import { NodeAffinity, type NodeAffinityArgs } from './node-affinity/node-affinity.js';
import { NodeName } from './node-name/node-name.js';
import { NodePorts } from './node-ports/node-ports.js';
import { NodeResourcesBalancedAllocation, type BalancedAllocationArgs } from './node-resources-balanced-allocation/node-resources-balanced-allocation.js';
import { NodeResourcesFit, validateNodeResourcesFitArgs, type NodeResourcesFitArgs } from './node-resources-fit/node-resources-fit.js';
import { NodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { PodTopologySpread, validatePodTopologySpreadArgs, type PodTopologySpreadArgs } from './pod-topology-spread/pod-topology-spread.js';
import { PrioritySort } from './priority-sort/priority-sort.js';
import { TaintToleration } from './taint-toleration/taint-toleration.js';
import { SchedulingGates } from './scheduling-gates/scheduling-gates.js';
import { VolumeBinding } from './volume-binding/volume-binding.js';

/** Field errors for a plugin's args; `path` is where the args sit in the configuration. */
export type ArgsValidator = (args: unknown, path: string) => string[];

type Args = Record<string, unknown> | undefined;

function withArgs<A>(validate: ((a: A, path: string) => string[]) | undefined, make: (a: A, h: Handle) => PluginFactoryResult): PluginFactory {
  return (raw, handle) => {
    const args = ((raw as Args) ?? {}) as A;
    const errs = validate?.(args, 'args') ?? [];
    return errs.length ? { ok: false, errors: errs } : make(args, handle);
  };
}

const plain = (make: (h: Handle) => Plugin): PluginFactory => (_raw, handle) => ({ ok: true, plugin: make(handle) });

export const inTreeRegistry: Registry = {
  SchedulingGates: plain(() => new SchedulingGates()),
  PrioritySort: plain(() => new PrioritySort()),
  NodeUnschedulable: plain(() => new NodeUnschedulable()),
  NodeName: plain(() => new NodeName()),
  TaintToleration: plain(() => new TaintToleration()),
  NodeAffinity: withArgs<NodeAffinityArgs>(undefined, (a) => ({ ok: true, plugin: new NodeAffinity(a) })),
  NodePorts: plain(() => new NodePorts()),
  NodeResourcesFit: withArgs<NodeResourcesFitArgs>(validateNodeResourcesFitArgs, (a) => ({ ok: true, plugin: new NodeResourcesFit(a) })),
  VolumeBinding: plain((h) => new VolumeBinding({ claims: h.claims })),
  PodTopologySpread: withArgs<PodTopologySpreadArgs>(validatePodTopologySpreadArgs, (a) => ({ ok: true, plugin: new PodTopologySpread(a) })),
  InterPodAffinity: withArgs<InterPodAffinityArgs>(validateInterPodAffinityArgs, (a) => ({ ok: true, plugin: new InterPodAffinity(a) })),
  DefaultPreemption: withArgs<DefaultPreemptionArgs>(validateDefaultPreemptionArgs, (a, h) => ({ ok: true, plugin: new DefaultPreemption(h, a) })),
  NodeResourcesBalancedAllocation: withArgs<BalancedAllocationArgs>(undefined, (a) => ({ ok: true, plugin: new NodeResourcesBalancedAllocation(a) })),
  ImageLocality: plain(() => new ImageLocality()),
  DefaultBinder: plain((h) => new DefaultBinder(h.binder)),
};

/** Args validators by plugin name, for configuration validation with field paths. */
export const argsValidators: Readonly<Record<string, ArgsValidator>> = {
  NodeResourcesFit: (a, p) => validateNodeResourcesFitArgs((a ?? {}) as NodeResourcesFitArgs, p),
  PodTopologySpread: (a, p) => validatePodTopologySpreadArgs((a ?? {}) as PodTopologySpreadArgs, p),
  InterPodAffinity: (a, p) => validateInterPodAffinityArgs((a ?? {}) as InterPodAffinityArgs, p),
  DefaultPreemption: (a, p) => validateDefaultPreemptionArgs((a ?? {}) as DefaultPreemptionArgs, p),
};
