/** NodePorts: host ports a pod asks for must be free on the node (0.0.0.0 conflicts with every IP). */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, PreFilterOutput, PreFilterPlugin } from '../../framework/interface.js';
import { podHostPorts, type HostPort, type NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY = 'PreFilter' + NAME;

class PortsState implements StateData {
  constructor(readonly ports: HostPort[]) {}
  clone(): StateData {
    return this;
  }
}

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodT): PreFilterOutput {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return { status: Status.skip() };
    state.write(STATE_KEY, new PortsState(ports));
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: PodT, nodeInfo: NodeInfo): Status {
    const ports = state.read<PortsState>(STATE_KEY)?.ports ?? podHostPorts(pod);
    const conflict = ports.some((want) => nodeInfo.usedPorts.some((used) => portsConflict(want, used)));
    return conflict ? Status.unschedulable(ERR_REASON) : Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Pod', actionType: ActionType.Delete } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.Update } },
    ];
  }
}
