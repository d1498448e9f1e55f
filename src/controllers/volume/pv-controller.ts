/**
 * The persistent volume binder (upstream `persistentvolume-binder`): binds
 * each unbound claim to the best matching volume, hands claims of a class
 * with a provisioner to that provisioner (waiting for the scheduler's node
 * first when the class binds on first consumer), and when a claim goes away
 * releases its volume and applies the reclaim policy. One queue carries both
 * kinds of keys; handlers only enqueue, `sync` reads the caches and converges.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import { type SharedInformer, isDeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isInvalid, isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { GroupVersionResource, KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../framework/controller.js';
import type { EventSink } from '../framework/pod-control.js';
import type { Pod } from '../framework/pods.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  type PV, type PVC, type StorageClass, PVC_KIND, claimClass, claimProvisioner, defaultClass, podClaimNames,
} from './annotations.js';
import { type NodeLike, findMatchingVolume, isVolumeBoundToClaim, volumeSatisfiesClaim } from './matching.js';

export const BINDER_CONTROLLER_NAME = 'persistentvolume-binder';
/** The component upstream's binder reports events as. */
export const EVENT_COMPONENT = 'persistentvolume-controller';

export const MSG_WAIT_FOR_FIRST_CONSUMER = 'waiting for first consumer to be created before binding';
export const MSG_NO_VOLUMES_NO_CLASS = 'no persistent volumes available for this claim and no storage class is set';

/** Provisioners implemented inside the binder itself; none today, so every one is external. */
const IN_TREE_PROVISIONERS = new Set<string>();

export function externalProvisioningMessage(provisioner: string): string {
  return `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
}

/** The writes the binder makes, behind an interface so sync is tested against a fake. */
export interface VolumeAPI {
  /** A live read, to tell a deleted claim from one the cache has not seen yet. */
  getClaim(namespace: string, name: string): Promise<PVC | undefined>;
  updateClaim(pvc: PVC): Promise<PVC>;
  updateClaimStatus(pvc: PVC): Promise<PVC>;
  updateVolume(pv: PV): Promise<PV>;
  updateVolumeStatus(pv: PV): Promise<PV>;
}

export interface PersistentVolumeControllerOptions {
  claimInformer: SharedInformer<PVC>;
  volumeInformer: SharedInformer<PV>;
  classInformer: SharedInformer<StorageClass>;
  podInformer: SharedInformer<Pod>;
  nodeInformer: SharedInformer<KubeObject>;
  api: VolumeAPI;
  recorder: EventSink;
  clock: Clock;
  logger: Logger;
}

const CLAIM = 'claim/';
const VOLUME = 'volume/';

export class PersistentVolumeController implements Controller {
  readonly name = BINDER_CONTROLLER_NAME;
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  /** Set once the server refuses to give a class-less claim the default class, so we stop asking. */
  private retroactiveDefaultRefused = false;

  constructor(private readonly opts: PersistentVolumeControllerOptions) {
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const claimKey = (c: PVC) => this.queue.add(CLAIM + metaNamespaceKey(c));
    this.handlers.push(
      opts.claimInformer.addEventHandler({
        onAdd: claimKey,
        onUpdate: (_o, c) => claimKey(c),
        onDelete: (obj) => {
          const c = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          // The volume it held is released by the volume's sync.
          for (const pv of opts.volumeInformer.lister().list()) {
            if (pv.spec?.claimRef?.namespace === c.metadata.namespace && pv.spec?.claimRef?.name === c.metadata.name) this.queue.add(VOLUME + pv.metadata.name);
          }
        },
      }),
      opts.volumeInformer.addEventHandler({
        onAdd: (pv) => this.volumeChanged(pv),
        onUpdate: (_o, pv) => this.volumeChanged(pv),
        onDelete: (obj) => {
          const pv = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
          const ref = pv.spec?.claimRef;
          if (ref?.name) this.queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name}`);
        },
      }),
      opts.classInformer.addEventHandler({ onAdd: () => this.enqueuePendingClaims(), onUpdate: () => this.enqueuePendingClaims() }),
      opts.podInformer.addEventHandler({ onAdd: (p) => this.podChanged(p), onUpdate: (_o, p) => this.podChanged(p) }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { opts } = this;
    await runSyncedWorkers({
      informers: [opts.claimInformer, opts.volumeInformer, opts.classInformer, opts.podInformer, opts.nodeInformer],
      handlers: this.handlers,
      onSynced: () => opts.logger.info('starting controller', { controller: this.name, workers }),
      queue: this.queue,
      reconcile: (key) => this.sync(key),
      workers,
      signal,
      logger: opts.logger,
    });
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith(CLAIM)) {
      const { namespace, name } = splitMetaNamespaceKey(key.slice(CLAIM.length));
      const pvc = this.opts.claimInformer.lister().get(namespace, name);
      if (pvc) await this.syncClaim(pvc);
      return;
    }
    if (key.startsWith(VOLUME)) {
      const pv = this.opts.volumeInformer.lister().get('', key.slice(VOLUME.length));
      if (pv) await this.syncVolume(pv);
    }
  }

  // ---- event handlers

  private volumeChanged(pv: PV): void {
    this.queue.add(VOLUME + pv.metadata.name);
    const ref = pv.spec?.claimRef;
    if (ref?.name) this.queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name}`);
    // A new available volume may be what a pending claim waits for.
    else this.enqueuePendingClaims();
  }

  private enqueuePendingClaims(): void {
    for (const c of this.opts.claimInformer.lister().list()) {
      if (!c.spec?.volumeName) this.queue.add(CLAIM + metaNamespaceKey(c));
    }
  }

  /** A pod's scheduling changes whether its WaitForFirstConsumer claims wait. */
  private podChanged(pod: Pod): void {
    const ns = pod.metadata.namespace ?? '';
    for (const name of podClaimNames(pod)) {
      const c = this.opts.claimInformer.lister().get(ns, name);
      if (c && !c.spec?.volumeName) this.queue.add(`${CLAIM}${ns}/${name}`);
    }
  }

  // ---- claims

  async syncClaim(pvc: PVC): Promise<void> {
    if (pvc.metadata.deletionTimestamp) return;
    if (pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) await this.syncUnboundClaim(pvc);
    else await this.syncBoundClaim(pvc);
  }

  private async syncUnboundClaim(original: PVC): Promise<void> {
    const pvc = await this.assignDefaultClass(original);
    if (!pvc) return;
    const volumeName = pvc.spec?.volumeName;
    if (volumeName) {
      await this.syncClaimNamingVolume(pvc, volumeName);
      return;
    }
    const className = claimClass(pvc);
    const sc = className ? this.opts.classInformer.lister().get('', className) : undefined;
    const selectedNode = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    const delayBinding = !selectedNode && sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const node = selectedNode ? this.node(selectedNode) : undefined;
    const match = findMatchingVolume(pvc, this.opts.volumeInformer.lister().list(), { delayBinding, node });
    if (match) {
      await this.bind(match, pvc);
      return;
    }
    if (delayBinding) {
      await this.waitForFirstConsumer(pvc);
      return;
    }
    if (className) {
      await this.provision(pvc, className, sc);
      return;
    }
    void this.opts.recorder.event(pvc, 'Normal', 'FailedBinding', MSG_NO_VOLUMES_NO_CLASS);
    await this.setClaimPhase(pvc, 'Pending');
  }

  /**
   * Upstream's retroactive default class: a claim created with no class at all
   * (not "") gets the default one. Answers the claim to continue with.
   */
  private async assignDefaultClass(pvc: PVC): Promise<PVC | undefined> {
    if (this.retroactiveDefaultRefused || pvc.spec?.storageClassName != null || claimClass(pvc) || pvc.spec?.volumeName) return pvc;
    const def = defaultClass(this.opts.classInformer.lister().list());
    if (!def) return pvc;
    const updated = structuredClone(pvc);
    updated.spec = { ...updated.spec, storageClassName: def.metadata.name };
    try {
      await this.opts.api.updateClaim(updated);
      // The update event brings the claim back through the queue.
      return undefined;
    } catch (err) {
      if (!isInvalid(err)) throw err;
      this.retroactiveDefaultRefused = true;
      this.opts.logger.info('the API server does not allow assigning a default class to existing claims', { pvc: metaNamespaceKey(pvc) });
      return pvc;
    }
  }

  /** A claim created with spec.volumeName: bind to exactly that volume, or wait for it. */
  private async syncClaimNamingVolume(pvc: PVC, volumeName: string): Promise<void> {
    const pv = this.opts.volumeInformer.lister().get('', volumeName);
    if (!pv) {
      await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) {
      const mismatch = volumeSatisfiesClaim(pv, pvc);
      if (mismatch) {
        void this.opts.recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${mismatch}`);
        await this.setClaimPhase(pvc, 'Pending');
        return;
      }
      await this.bind(pv, pvc);
      return;
    }
    void this.opts.recorder.event(pvc, 'Warning', 'FailedBinding', 'volume "' + volumeName + '" already bound to a different claim.');
    await this.setClaimPhase(pvc, 'Pending');
  }

  private async syncBoundClaim(pvc: PVC): Promise<void> {
    const volumeName = pvc.spec?.volumeName;
    if (!volumeName) {
      await this.claimLost(pvc, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const pv = this.opts.volumeInformer.lister().get('', volumeName);
    if (!pv) {
      await this.claimLost(pvc, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) {
      await this.bind(pv, pvc);
      return;
    }
    await this.claimLost(pvc, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async claimLost(pvc: PVC, reason: string, message: string): Promise<void> {
    if (pvc.status?.phase === 'Lost') return;
    void this.opts.recorder.event(pvc, 'Warning', reason, message);
    await this.setClaimPhase(pvc, 'Lost');
  }

  /**
   * Nothing to bind before a node is chosen. Upstream reports the wait only
   * while no unscheduled pod uses the claim (then it is the scheduler's turn).
   * A pod placed on a node without the scheduler's annotation (spec.nodeName
   * set by hand) would wait forever, so its node is taken as the selection.
   */
  private async waitForFirstConsumer(pvc: PVC): Promise<void> {
    const users = this.podsUsing(pvc);
    const placed = users.find((p) => p.spec?.nodeName && !p.metadata.deletionTimestamp);
    if (placed) {
      const updated = structuredClone(pvc);
      updated.metadata.annotations = { ...updated.metadata.annotations, [ANN_SELECTED_NODE]: placed.spec!.nodeName! };
      await this.opts.api.updateClaim(updated);
      return;
    }
    if (!users.some((p) => !p.spec?.nodeName)) void this.opts.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', MSG_WAIT_FOR_FIRST_CONSUMER);
    await this.setClaimPhase(pvc, 'Pending');
  }

  private podsUsing(pvc: PVC): Pod[] {
    const name = pvc.metadata.name ?? '';
    return this.opts.podInformer.lister().listInNamespace(pvc.metadata.namespace ?? '').filter((p) => podClaimNames(p).includes(name));
  }

  /** Hands the claim to its class's provisioner by annotation, as upstream does for external ones. */
  private async provision(pvc: PVC, className: string, sc: StorageClass | undefined): Promise<void> {
    if (!sc) {
      void this.opts.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    const provisioner = sc.provisioner ?? '';
    if (provisioner === 'kubernetes.io/no-provisioner') {
      void this.opts.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    if (claimProvisioner(pvc) !== provisioner) {
      const updated = structuredClone(pvc);
      updated.metadata.annotations = { ...updated.metadata.annotations, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
      await this.opts.api.updateClaim(updated);
    }
    void this.opts.recorder.event(pvc, 'Normal', 'ExternalProvisioning', externalProvisioningMessage(provisioner));
    await this.setClaimPhase(pvc, 'Pending');
  }

  /** Upstream's bind: volume's claimRef, volume phase, claim's volumeName, claim status; each step idempotent. */
  private async bind(original: PV, claim: PVC): Promise<void> {
    let pv = original;
    if (!isVolumeBoundToClaim(pv, claim) || !pv.spec?.claimRef?.uid) {
      const updated = structuredClone(pv);
      const byController = !isVolumeBoundToClaim(pv, claim);
      updated.spec = {
        ...updated.spec,
        claimRef: {
          kind: PVC_KIND,
          apiVersion: 'v1',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          resourceVersion: claim.metadata.resourceVersion,
        },
      };
      if (byController) updated.metadata.annotations = { ...updated.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      pv = await this.opts.api.updateVolume(updated);
    }
    pv = await this.setVolumePhase(pv, 'Bound');
    let pvc = claim;
    const ann = pvc.metadata.annotations ?? {};
    if (pvc.spec?.volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const updated = structuredClone(pvc);
      updated.metadata.annotations = { ...updated.metadata.annotations, [ANN_BIND_COMPLETED]: 'yes' };
      if (pvc.spec?.volumeName !== pv.metadata.name) {
        updated.spec = { ...updated.spec, volumeName: pv.metadata.name };
        updated.metadata.annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      }
      pvc = await this.opts.api.updateClaim(updated);
    }
    const status = pvc.status ?? {};
    const capacity = pv.spec?.capacity ?? {};
    const modes = pv.spec?.accessModes ?? [];
    if (status.phase !== 'Bound' || JSON.stringify(status.capacity ?? {}) !== JSON.stringify(capacity) || JSON.stringify(status.accessModes ?? []) !== JSON.stringify(modes)) {
      const updated = structuredClone(pvc);
      updated.status = { ...updated.status, phase: 'Bound', capacity: { ...capacity }, accessModes: [...modes] };
      await this.opts.api.updateClaimStatus(updated);
      this.opts.logger.debug('claim bound', { pvc: metaNamespaceKey(pvc), pv: pv.metadata.name });
    }
  }

  private async setClaimPhase(pvc: PVC, phase: 'Pending' | 'Bound' | 'Lost'): Promise<void> {
    if (pvc.status?.phase === phase) return;
    const updated = structuredClone(pvc);
    updated.status = { ...updated.status, phase };
    await this.opts.api.updateClaimStatus(updated);
  }

  private node(name: string): NodeLike {
    return this.opts.nodeInformer.lister().get('', name) ?? { metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
  }

  // ---- volumes

  /** Volumes being deleted are synced too: one held by pv-protection must still become Released when its claim goes. */
  async syncVolume(pv: PV): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref) {
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    const ns = ref.namespace ?? '';
    const name = ref.name ?? '';
    let claim: PVC | undefined = this.opts.claimInformer.lister().get(ns, name);
    // A claim the cache lacks may just be too new for it: ask the server before releasing anything.
    if (!claim && ref.uid) claim = await this.opts.api.getClaim(ns, name);
    if (!ref.uid) {
      // Pre-bound by the user to a claim by name: available to that claim only.
      if (!claim || claim.spec?.volumeName !== pv.metadata.name) await this.setVolumePhase(pv, 'Available');
      if (claim) this.queue.add(`${CLAIM}${ns}/${name}`);
      return;
    }
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      await this.released(pv);
      return;
    }
    if (!claim.spec?.volumeName) {
      // Binding in progress (or undone by a user): the claim's sync finishes it.
      this.queue.add(`${CLAIM}${ns}/${name}`);
      return;
    }
    if (claim.spec.volumeName === pv.metadata.name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim went to another volume: undo our half of a binding, else the volume is released.
    if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] && !pv.metadata.annotations?.[ANN_PROVISIONED_BY]) {
      const updated = structuredClone(pv);
      delete updated.spec!.claimRef;
      delete updated.metadata.annotations![ANN_BOUND_BY_CONTROLLER];
      const unbound = await this.opts.api.updateVolume(updated);
      await this.setVolumePhase(unbound, 'Available');
      return;
    }
    await this.released(pv);
  }

  /** The claim is gone: Released, then the reclaim policy. */
  private async released(original: PV): Promise<void> {
    let pv = original;
    const phase = pv.status?.phase;
    if (phase === 'Failed') return;
    if (phase !== 'Released') pv = await this.setVolumePhase(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Delete') {
      const provisioner = pv.metadata.annotations?.[ANN_PROVISIONED_BY];
      // An external provisioner deletes its own volumes (and their storage).
      if (provisioner && !IN_TREE_PROVISIONERS.has(provisioner)) return;
      void this.opts.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`);
      await this.setVolumePhase(pv, 'Failed', 'No deletable volume plugin matched');
      return;
    }
    void this.opts.recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
    await this.setVolumePhase(pv, 'Failed', 'No recycler plugin found for the volume!');
  }

  private async setVolumePhase(pv: PV, phase: 'Available' | 'Bound' | 'Released' | 'Failed', message?: string): Promise<PV> {
    if (pv.status?.phase === phase) return pv;
    const updated = structuredClone(pv);
    updated.status = { ...updated.status, phase, lastPhaseTransitionTime: this.opts.clock.nowRFC3339() };
    if (message) updated.status.message = message;
    else delete updated.status.message;
    return this.opts.api.updateVolumeStatus(updated);
  }
}

const GVR = {
  pvcs: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  pvs: { group: '', version: 'v1', resource: 'persistentvolumes' },
  classes: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  events: { group: '', version: 'v1', resource: 'events' },
} satisfies Record<string, GroupVersionResource>;

export { GVR as VOLUME_GVR };

/** The VolumeAPI over the API server. */
export function restVolumeAPI(ctx: Pick<ControllerContext, 'rest'>): VolumeAPI {
  const claims = new ResourceClient<PVC>(ctx.rest, GVR.pvcs);
  const volumes = new ResourceClient<PV>(ctx.rest, GVR.pvs);
  const inNs = (pvc: PVC) => claims.inNamespace(pvc.metadata.namespace ?? '');
  return {
    getClaim: async (ns, name) => {
      try {
        return await claims.inNamespace(ns).get(name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    updateClaim: (pvc) => inNs(pvc).update(pvc),
    updateClaimStatus: (pvc) => inNs(pvc).updateStatus(pvc),
    updateVolume: (pv) => volumes.update(pv),
    updateVolumeStatus: (pv) => volumes.updateStatus(pv),
  };
}

export const persistentVolumeBinderDescriptor: ControllerDescriptor = {
  name: BINDER_CONTROLLER_NAME,
  init: (ctx) =>
    new PersistentVolumeController({
      claimInformer: ctx.informers.informerFor<PVC>(GVR.pvcs),
      volumeInformer: ctx.informers.informerFor<PV>(GVR.pvs),
      classInformer: ctx.informers.informerFor<StorageClass>(GVR.classes),
      podInformer: ctx.informers.informerFor<Pod>(GVR.pods),
      nodeInformer: ctx.informers.informerFor<KubeObject>(GVR.nodes),
      api: restVolumeAPI(ctx),
      recorder: new EventRecorder({
        events: new ResourceClient<CoreEvent>(ctx.rest, GVR.events),
        component: EVENT_COMPONENT,
        clock: ctx.clock,
        onError: (err) => ctx.logger.debug('event not recorded', { err }),
      }),
      clock: ctx.clock,
      logger: ctx.logger,
    }),
};
