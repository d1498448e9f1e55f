/**
 * DefaultStorageClass: a claim created without `storageClassName` gets the
 * cluster's default class (the newest class annotated
 * `storageclass.kubernetes.io/is-default-class: "true"`). An explicit ""
 * means "no class" and is left alone.
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes, AdmissionOperation, MutatingPlugin } from '../types.js';

export const IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export function defaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[IS_DEFAULT_CLASS_ANNOTATION] === 'true');
  // Upstream picks the newest default, then the name, so two defaults do not block claims.
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return defaults[0];
}

export class DefaultStorageClass implements MutatingPlugin {
  readonly name = 'DefaultStorageClass';

  constructor(private readonly storageClasses: () => Store | undefined) {}

  handles(op: AdmissionOperation): boolean {
    return op === 'CREATE';
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.group !== '' || a.resource !== 'persistentvolumeclaims' || a.subresource || !a.object) return;
    const spec = (a.object.spec ?? {}) as { storageClassName?: string | null };
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const store = this.storageClasses();
    if (!store) return;
    const all = await store.list({ namespace: '', resourceVersion: '0' });
    const def = defaultStorageClass(all.items.map((i) => i.object as KubeObject));
    if (!def) return;
    a.object.spec = { ...spec, storageClassName: def.metadata.name };
  }
}
