/**
 * Turns a CustomResourceDefinition into what the server serves: one
 * ResourceType per served version, each with the definition OpenAPI publishes
 * for it (named `<reversed group>.<version>.<Kind>` as upstream names CR
 * schemas), full schema validation, and a no-op conversion (strategy None:
 * only apiVersion differs between versions).
 */
import type { CustomResourceDefinitionNamesT, CustomResourceDefinitionT, CustomResourceDefinitionVersionT } from '../../api/apiextensions/v1/types.js';
import { ObjectMeta } from '../../api/meta/v1.js';
import { ALL_VERBS, type ResourceType, type ScaleInfo, type SubresourceInfo } from '../../api/scheme.js';
import type { Def } from '../../api/schema/dsl.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type Schema, type SchemaResolver, refTo } from '../../machinery/schema/types.js';
import { validateValue } from '../../machinery/schema/validate.js';

/** Upstream's published name for a CR version's schema: `example.com` + v1 + Widget -> `com.example.v1.Widget`. */
export function customResourceDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The version objects are stored in (exactly one is marked; validation guarantees it). */
export function storageVersionOf(crd: CustomResourceDefinitionT): string | undefined {
  return (crd.spec?.versions ?? []).find((v) => v.storage)?.name;
}

const TYPE_META_DESCRIPTIONS = {
  apiVersion: 'The versioned schema of this representation of the object; servers convert recognised versions and may reject others.',
  kind: 'The REST resource this object represents, in CamelCase; servers infer it from the endpoint a request is sent to.',
  metadata: "Standard object metadata: name, namespace, labels, annotations and the fields the server maintains.",
};

/**
 * The schema OpenAPI publishes and validation checks: the version's schema
 * with apiVersion, kind and metadata (as ObjectMeta) filled in, whatever the
 * CRD author wrote for them.
 */
export function customResourceSchema(version: CustomResourceDefinitionVersionT): Schema {
  const user = (version.schema?.openAPIV3Schema ?? { type: 'object' }) as Schema;
  const merged: Record<string, Schema> = {
    ...(user.properties ?? {}),
    apiVersion: { type: 'string', description: TYPE_META_DESCRIPTIONS.apiVersion },
    kind: { type: 'string', description: TYPE_META_DESCRIPTIONS.kind },
    metadata: { ...refTo(ObjectMeta.name), description: TYPE_META_DESCRIPTIONS.metadata },
  };
  // Published in key order, as upstream's (Go map) documents are.
  const properties = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...user, type: 'object', properties };
}

export interface CustomResourceTypeOptions {
  /** Resolves refs (ObjectMeta) during validation: the server's scheme. */
  resolver: SchemaResolver;
  /** Names to serve under (status.acceptedNames once accepted; spec.names otherwise). */
  names?: CustomResourceDefinitionNamesT;
}

function subresourcesOf(v: CustomResourceDefinitionVersionT, kind: string): { subresources: SubresourceInfo[]; scale?: ScaleInfo } {
  const subresources: SubresourceInfo[] = [];
  let scale: ScaleInfo | undefined;
  if (v.subresources?.status) subresources.push({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
  const s = v.subresources?.scale;
  if (s) {
    subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    scale = { specReplicasPath: s.specReplicasPath, statusReplicasPath: s.statusReplicasPath };
    if (s.labelSelectorPath) scale.labelSelectorPath = s.labelSelectorPath;
  }
  return { subresources, scale };
}

/** One ResourceType per served version; the storage version carries `storageVersion`. */
export function customResourceTypes(crd: CustomResourceDefinitionT, opts: CustomResourceTypeOptions): ResourceType[] {
  const spec = crd.spec;
  const names = opts.names ?? spec.names;
  const storage = storageVersionOf(crd);
  const out: ResourceType[] = [];
  for (const v of spec.versions ?? []) {
    if (!v.served) continue;
    const defName = customResourceDefinitionName(spec.group, v.name, names.kind);
    const definition: Def<KubeObject> = { name: defName, definition: customResourceSchema(v), schema: refTo(defName) } as Def<KubeObject>;
    const { subresources, scale } = subresourcesOf(v, names.kind);
    const rt: ResourceType = {
      group: spec.group,
      version: v.name,
      kind: names.kind,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      verbs: [...ALL_VERBS],
      definition,
      storageVersion: v.name === storage,
      hasStatus: !!v.subresources?.status,
      validate: (obj) => validateValue(obj, refTo(defName), { resolver: opts.resolver }),
    };
    if (names.shortNames?.length) rt.shortNames = [...names.shortNames];
    if (names.categories?.length) rt.categories = [...names.categories];
    if (subresources.length) rt.subresources = subresources;
    if (scale) rt.scale = scale;
    if (v.name !== storage) rt.convert = convertNone;
    out.push(rt);
  }
  return out;
}

/**
 * Conversion strategy None: the object is the same in every version. A
 * shallow copy is enough because callers only rewrite apiVersion and kind.
 */
function convertNone(obj: KubeObject): KubeObject {
  return { ...obj };
}
