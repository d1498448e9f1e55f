/**
 * The built-in local-path provisioner (upstream's external-provisioner
 * protocol): for each claim the binder handed to it, once the scheduler has
 * picked a node, it creates a volume pre-bound to the claim — a directory
 * `<storage path>/pvc-<uid>_<namespace>_<name>` on that node, pinned there
 * by required node affinity, reclaim policy from the class. A released
 * volume of its own with policy Delete loses its directory, then the object.
 */
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/keys.js';
import { EventRecorder, type CoreEvent } from '../../client/events/event-recorder.js';
import type { SharedInformer } from '../../client/informers/shared-informer.js';
import { ResourceClient } from '../../client/rest/resource-client.js';
import { RateLimitingQueue } from '../../client/workqueue/rate-limiting-queue.js';
import type { Clock } from '../../machinery/clock.js';
import { isAlreadyExists, isNotFound } from '../../machinery/errors/index.js';
import type { Disposable } from '../../machinery/lifecycle.js';
import type { Logger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { Controller, ControllerDescriptor } from '../framework/controller.js';
import type { EventSink } from '../framework/pod-control.js';
import { runSyncedWorkers } from '../framework/queue-worker.js';
import {
  ANN_PROVISIONED_BY, ANN_SELECTED_NODE, HOSTNAME_LABEL, PVC_KIND, type PV, type PVC, type StorageClass, claimClass, claimProvisioner,
} from './annotations.js';
import { VOLUME_GVR } from './pv-controller.js';
import { HostVolumeDirectories, type VolumeDirectories } from './volume-directories.js';

export const PROVISIONER_CONTROLLER_NAME = 'local-path-provisioner';
/** What the bootstrapped default StorageClass names as its provisioner. */
export const LOCAL_PATH_PROVISIONER = 'k8ts.io/local-path';

export interface LocalPathAPI {
  createVolume(pv: PV): Promise<PV>;
  /** Deletes only the volume with this uid; a missing one is not an error. */
  deleteVolume(name: string, uid: string): Promise<void>;
}

export interface LocalPathProvisionerOptions {
  claimInformer: SharedInformer<PVC>;
  volumeInformer: SharedInformer<PV>;
  classInformer: SharedInformer<StorageClass>;
  nodeInformer: SharedInformer<KubeObject>;
  api: LocalPathAPI;
  directories: VolumeDirectories;
  recorder: EventSink;
  /** Where volumes' directories go (kube-controller-manager setting localStoragePath). */
  storagePath: string;
  clock: Clock;
  logger: Logger;
  provisionerName?: string;
}

const CLAIM = 'claim/';
const VOLUME = 'volume/';

/** Upstream local-path's directory name: unique by uid, readable by namespace and name. */
export function volumeDirectory(storagePath: string, pvc: PVC): string {
  return `${storagePath.replace(/\/+$/, '')}/pvc-${pvc.metadata.uid}_${pvc.metadata.namespace}_${pvc.metadata.name}`;
}

/** The volume for a claim on a node, pre-bound to the claim. */
export function volumeForClaim(pvc: PVC, sc: StorageClass, opts: { nodeHostname: string; storagePath: string; provisioner: string }): PV {
  const spec = pvc.spec ?? {};
  const pv: PV = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${pvc.metadata.uid}`, annotations: { [ANN_PROVISIONED_BY]: opts.provisioner } },
    spec: {
      capacity: { storage: String(spec.resources?.requests?.storage ?? '0') },
      accessModes: [...(spec.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: claimClass(pvc),
      volumeMode: spec.volumeMode ?? 'Filesystem',
      claimRef: {
        apiVersion: 'v1',
        kind: PVC_KIND,
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        resourceVersion: pvc.metadata.resourceVersion,
      },
      hostPath: { path: volumeDirectory(opts.storagePath, pvc), type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [opts.nodeHostname] }] }] } },
    },
  };
  if (sc.mountOptions?.length) pv.spec!.mountOptions = [...sc.mountOptions];
  return pv;
}

export class LocalPathProvisioner implements Controller {
  readonly name = PROVISIONER_CONTROLLER_NAME;
  readonly queue: RateLimitingQueue<string>;
  private readonly handlers: Disposable[] = [];
  private readonly provisioner: string;

  constructor(private readonly opts: LocalPathProvisionerOptions) {
    this.provisioner = opts.provisionerName ?? LOCAL_PATH_PROVISIONER;
    this.queue = new RateLimitingQueue<string>({ clock: opts.clock });
    const claim = (c: PVC) => {
      if (!c.spec?.volumeName && claimProvisioner(c) === this.provisioner) this.queue.add(CLAIM + metaNamespaceKey(c));
    };
    const volume = (pv: PV) => {
      if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] === this.provisioner) this.queue.add(VOLUME + pv.metadata.name);
    };
    this.handlers.push(
      opts.claimInformer.addEventHandler({ onAdd: claim, onUpdate: (_o, c) => claim(c) }),
      opts.volumeInformer.addEventHandler({ onAdd: volume, onUpdate: (_o, pv) => volume(pv) }),
    );
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { opts } = this;
    await runSyncedWorkers({
      informers: [opts.claimInformer, opts.volumeInformer, opts.classInformer, opts.nodeInformer],
      handlers: this.handlers,
      onSynced: () => opts.logger.info('starting controller', { controller: this.name, workers, storagePath: opts.storagePath }),
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
      if (pvc) await this.provision(pvc);
      return;
    }
    if (key.startsWith(VOLUME)) {
      const pv = this.opts.volumeInformer.lister().get('', key.slice(VOLUME.length));
      if (pv) await this.reclaim(pv);
    }
  }

  private async provision(pvc: PVC): Promise<void> {
    const { opts } = this;
    if (pvc.metadata.deletionTimestamp || pvc.spec?.volumeName || claimProvisioner(pvc) !== this.provisioner) return;
    const sc = opts.classInformer.lister().get('', claimClass(pvc));
    if (!sc || sc.provisioner !== this.provisioner) return;
    const nodeName = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!nodeName) {
      // Without a node there is no disk to put the directory on.
      if (sc.volumeBindingMode !== 'WaitForFirstConsumer') {
        void opts.recorder.event(pvc, 'Warning', 'ProvisioningFailed', 'failed to provision volume with StorageClass "' + sc.metadata.name + '": configuration error, no node was specified');
      }
      return;
    }
    const name = `pvc-${pvc.metadata.uid}`;
    if (opts.volumeInformer.lister().get('', name)) return;
    const node = opts.nodeInformer.lister().get('', nodeName);
    const hostname = node?.metadata.labels?.[HOSTNAME_LABEL] ?? nodeName;
    const pv = volumeForClaim(pvc, sc, { nodeHostname: hostname, storagePath: opts.storagePath, provisioner: this.provisioner });
    void opts.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${metaNamespaceKey(pvc)}"`);
    await opts.directories.create(pv.spec!.hostPath!.path);
    try {
      await opts.api.createVolume(pv);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        void opts.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
    void opts.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    opts.logger.info('provisioned volume', { pvc: metaNamespaceKey(pvc), pv: name, node: nodeName });
  }

  private async reclaim(pv: PV): Promise<void> {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== this.provisioner) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
    const dir = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (dir) await this.opts.directories.remove(dir);
    await this.opts.api.deleteVolume(pv.metadata.name!, pv.metadata.uid!);
    this.opts.logger.info('deleted released volume', { pv: pv.metadata.name });
  }
}

export const localPathProvisionerDescriptor: ControllerDescriptor = {
  name: PROVISIONER_CONTROLLER_NAME,
  init: (ctx) => {
    const volumes = new ResourceClient<PV>(ctx.rest, VOLUME_GVR.pvs);
    return new LocalPathProvisioner({
      claimInformer: ctx.informers.informerFor<PVC>(VOLUME_GVR.pvcs),
      volumeInformer: ctx.informers.informerFor<PV>(VOLUME_GVR.pvs),
      classInformer: ctx.informers.informerFor<StorageClass>(VOLUME_GVR.classes),
      nodeInformer: ctx.informers.informerFor<KubeObject>(VOLUME_GVR.nodes),
      api: {
        createVolume: (pv) => volumes.create(pv),
        deleteVolume: async (name, uid) => {
          try {
            await volumes.delete(name, { preconditions: { uid } });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        },
      },
      directories: new HostVolumeDirectories(ctx.config.localStoragePath),
      recorder: new EventRecorder({
        events: new ResourceClient<CoreEvent>(ctx.rest, VOLUME_GVR.events),
        component: `${LOCAL_PATH_PROVISIONER}_${PROVISIONER_CONTROLLER_NAME}`,
        clock: ctx.clock,
        onError: (err) => ctx.logger.debug('event not recorded', { err }),
      }),
      storagePath: ctx.config.localStoragePath,
      clock: ctx.clock,
      logger: ctx.logger,
    });
  },
};
