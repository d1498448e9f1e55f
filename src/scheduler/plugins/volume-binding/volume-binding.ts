/**
 * VolumeBinding, minimal: claims must exist; unbound claims are only
 * accepted when their class binds on first consumer; a bound volume's
 * node affinity must match the node. Dynamic provisioning and binding
 * decisions are not made here.
 */
import type { PersistentVolumeT, PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, PreFilterOutput, PreFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';
import { nodeSelectorMatches } from '../shared/node-selector.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
const STATE_KEY = 'PreFilter' + NAME;

class BoundVolumes implements StateData {
  constructor(readonly pvs: PersistentVolumeT[]) {}
  clone(): StateData {
    return this;
  }
}

/** The claim names a pod uses, including generic ephemeral volumes' "<pod>-<volume>". */
export function podClaimNames(pod: PodT): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodT, snapshot: Snapshot): PreFilterOutput {
    const claims = podClaimNames(pod);
    if (claims.length === 0) return { status: Status.skip() };
    const lister = snapshot.volumes();
    if (!lister) return { status: Status.skip() };
    const ns = pod.metadata?.namespace ?? '';
    const pvs: PersistentVolumeT[] = [];
    for (const name of claims) {
      const pvc = lister.pvc(ns, name);
      if (!pvc) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" not found`) };
      if (pvc.metadata?.deletionTimestamp) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      const volumeName = pvc.spec?.volumeName;
      if (!volumeName) {
        const mode = lister.bindingMode?.(pvc.spec?.storageClassName ?? '');
        if (mode !== 'WaitForFirstConsumer') return { status: Status.unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
        continue;
      }
      const pv = lister.pv(volumeName);
      if (!pv) return { status: Status.unresolvable(`pvc(s) bound to non-existent pv(s)`) };
      pvs.push(pv);
    }
    state.write(STATE_KEY, new BoundVolumes(pvs));
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): Status {
    const pvs = state.read<BoundVolumes>(STATE_KEY)?.pvs ?? [];
    for (const pv of pvs) {
      if (!nodeSelectorMatches(pv.spec?.nodeAffinity?.required, nodeInfo.node)) return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'PersistentVolumeClaim', actionType: ActionType.Add | ActionType.Update } },
      { event: { resource: 'PersistentVolume', actionType: ActionType.Add | ActionType.Update } },
      { event: { resource: 'StorageClass', actionType: ActionType.Add | ActionType.Update } },
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
    ];
  }
}
