/**
 * The admission plugins `k8ts server` enables, in upstream's order: mutating
 * plugins first (defaults that validation then sees), then validating ones.
 */
import type { Clock } from '../../machinery/clock.js';
import type { Registry } from '../registry/build.js';
import { DefaultStorageClass } from './plugins/default-storage-class.js';
import { LimitRanger, registryLimitRanges } from './plugins/limit-ranger.js';
import { NamespaceLifecycle } from './plugins/namespace-lifecycle.js';
import { NodeRestriction } from './plugins/node-restriction.js';
import { DefaultTolerationSeconds, PriorityAdmission, ServiceAccountAdmission } from './plugins/pod-defaults.js';
import { ResourceQuotaAdmission, registryQuotaAccess } from './plugins/resource-quota.js';
import { StorageObjectInUseProtection } from './plugins/storage-object-in-use-protection.js';
import { AdmissionChain } from './types.js';

export function defaultAdmissionChain(registry: Registry, clock: Clock): AdmissionChain {
  const limitRanger = new LimitRanger(registryLimitRanges(registry));
  return new AdmissionChain(
    [
      limitRanger,
      new ServiceAccountAdmission(),
      new PriorityAdmission(() => registry.storeFor('scheduling.k8s.io', 'priorityclasses')),
      new DefaultTolerationSeconds(),
      new DefaultStorageClass(() => registry.storeFor('storage.k8s.io', 'storageclasses')),
      new StorageObjectInUseProtection(),
    ],
    [
      new NamespaceLifecycle(() => registry.storeFor('', 'namespaces')),
      limitRanger,
      new NodeRestriction({ pods: () => registry.storeFor('', 'pods') }),
      new ResourceQuotaAdmission(registryQuotaAccess(registry), () => clock.now()),
    ],
  );
}
