/** Upstream SetDefaults_* for apiextensions.k8s.io/v1, plus the storedVersions the registry sets on create. */
import type { CustomResourceDefinitionT } from './types.js';

export function defaultCustomResourceDefinition(crd: CustomResourceDefinitionT): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = spec.names;
  if (names) {
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  const svc = spec.conversion.webhook?.clientConfig?.service;
  if (svc) svc.port ??= 443;
  spec.preserveUnknownFields ??= false;
  const status = (crd.status ??= {});
  if (!status.storedVersions || status.storedVersions.length === 0) {
    const storage = (spec.versions ?? []).find((v) => v.storage);
    if (storage) status.storedVersions = [storage.name];
  }
}
