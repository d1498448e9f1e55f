/**
 * VolumeBinding: claims must exist; unbound claims are only accepted when
 * their class binds on first consumer; a bound volume's node affinity must
 * match the node. Given a claim API, PreBind then tells the persistent
 * volume binder which node the pod's unbound WaitForFirstConsumer claims
 * are for (annotation volume.kubernetes.io/selected-node) and waits,
 * bounded, until they are bound, so the pod reaches its node with volumes.
 */
import { nodeSelectorMatches } from '../../../api/core/v1/node-selector.js';
import type { PersistentVolumeT, PodT } from '../../../api/core/v1/types.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { ActionType, type ClusterEventWithHint } from '../../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, PreBindPlugin, PreFilterOutput, PreFilterPlugin } from '../../framework/interface.js';
import { type Clock, realClock } from '../../../machinery/clock.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
const STATE_KEY = 'PreFilter' + NAME;

export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Upstream's default bindTimeoutSeconds. */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

/** What PreBind needs of the API; see claim-api.ts for the REST one. */
import type { ClaimAPI } from '../../framework/interface.js';

export type { ClaimAPI };

export interface VolumeBindingOptions {
  claims?: ClaimAPI;
  bindTimeoutMs?: number;
  pollIntervalMs?: number;
  clock?: Clock;
}

class BoundVolumes implements StateData {
  /** `delayed`: the pod's unbound WaitForFirstConsumer claims, bound in PreBind. */
  constructor(
    readonly pvs: PersistentVolumeT[],
    readonly delayed: string[] = [],
  ) {}
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

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = NAME;

  constructor(private readonly opts: VolumeBindingOptions = {}) {}

  preFilter(state: CycleState, pod: PodT, snapshot: Snapshot): PreFilterOutput {
    const claims = podClaimNames(pod);
    if (claims.length === 0) return { status: Status.skip() };
    const lister = snapshot.volumes();
    if (!lister) return { status: Status.skip() };
    const ns = pod.metadata?.namespace ?? '';
    const pvs: PersistentVolumeT[] = [];
    const delayed: string[] = [];
    for (const name of claims) {
      const pvc = lister.pvc(ns, name);
      if (!pvc) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" not found`) };
      if (pvc.metadata?.deletionTimestamp) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      const volumeName = pvc.spec?.volumeName;
      if (!volumeName) {
        const mode = lister.bindingMode?.(pvc.spec?.storageClassName ?? '');
        if (mode !== 'WaitForFirstConsumer') return { status: Status.unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
        delayed.push(name);
        continue;
      }
      const pv = lister.pv(volumeName);
      if (!pv) return { status: Status.unresolvable(`pvc(s) bound to non-existent pv(s)`) };
      pvs.push(pv);
    }
    state.write(STATE_KEY, new BoundVolumes(pvs, delayed));
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: PodT, nodeInfo: NodeInfo): Status {
    const pvs = state.read<BoundVolumes>(STATE_KEY)?.pvs ?? [];
    for (const pv of pvs) {
      if (!nodeSelectorMatches(pv.spec?.nodeAffinity?.required, nodeInfo.node)) return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
    }
    return Status.success();
  }

  async preBind(state: CycleState, pod: PodT, nodeName: string): Promise<Status> {
    const delayed = state.read<BoundVolumes>(STATE_KEY)?.delayed ?? [];
    const api = this.opts.claims;
    if (delayed.length === 0 || !api) return Status.success();
    const ns = pod.metadata?.namespace ?? '';
    const clock = this.opts.clock ?? realClock;
    try {
      for (const name of delayed) {
        const pvc = await api.get(ns, name);
        if (!pvc) return Status.error(`persistentvolumeclaim "${name}" not found`);
        if (!pvc.spec?.volumeName && pvc.metadata?.annotations?.[ANN_SELECTED_NODE] !== nodeName) await api.selectNode(ns, name, nodeName);
      }
      const deadline = clock.now() + (this.opts.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS);
      for (;;) {
        let pending = 0;
        for (const name of delayed) {
          const pvc = await api.get(ns, name);
          if (!pvc) return Status.error(`persistentvolumeclaim "${name}" not found`);
          if (!pvc.spec?.volumeName || pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined) pending++;
        }
        if (pending === 0) return Status.success();
        if (clock.now() >= deadline) return Status.error('binding volumes: context deadline exceeded');
        await clock.sleep(this.opts.pollIntervalMs ?? 100);
      }
    } catch (err) {
      return Status.error(`binding volumes: ${err instanceof Error ? err.message : String(err)}`);
    }
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
