/**
 * The scheme: every served resource with its identity (group, version, kind,
 * plural, scope, names, verbs, subresources), its schema definition, and the
 * upstream defaulting and validation that schemas cannot express.
 *
 * Groups export `ResourceType` values and their definitions; `Scheme` is built
 * explicitly from those lists (no registration at import time).
 */
import type { FieldError } from '../machinery/errors/field.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { type Schema, type SchemaResolver, DEFINITION_PREFIX, refName } from '../machinery/schema/types.js';
import type { Def } from './schema/dsl.js';
import type { NameValidator } from '../machinery/validation/names.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Where a scale subresource reads and writes replicas (JSON paths as in CRDs). */
export interface ScaleInfo {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface SubresourceInfo {
  /** e.g. 'status', 'scale', 'log', 'exec', 'binding', 'eviction', 'token'. */
  name: string;
  /** Kind accepted and returned by the subresource ('' for connect-style streams). */
  kind: string;
  group?: string;
  version?: string;
  verbs: Verb[];
}

/** Context validation may need: old object on update, the operation. */
export interface ValidationContext {
  operation: 'create' | 'update';
  subresource?: string;
}

/** One group-version: its named definitions and the resources it serves. */
export interface GroupVersionModule {
  group: string;
  version: string;
  definitions: readonly Def<any>[];
  resources: readonly ResourceType<any>[];
}

export interface ResourceType<X extends KubeObject = KubeObject> {
  group: string;
  version: string;
  kind: string;
  /** Plural, lower-case: the URL segment. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: Verb[];
  subresources?: SubresourceInfo[];
  scale?: ScaleInfo;
  /** The definition of the kind's object. */
  definition: Def<any>;
  /** Validates metadata.name (default: DNS subdomain). */
  nameValidator?: NameValidator;
  /** The definition name of the list kind; generated when absent. */
  listDefinition?: string;
  /** True when this version is the one kept in storage. */
  storageVersion?: boolean;
  /** Whether spec/status split applies (status subresource present). */
  hasStatus?: boolean;
  /** Upstream SetDefaults_<Kind> beyond schema defaults; mutates in place. */
  defaults?(obj: X): void;
  /** Upstream Validate<Kind> (create) and Validate<Kind>Update (update). */
  validate?(obj: X, old: X | undefined, ctx: ValidationContext): FieldError[];
  /** Converts from the storage version to this version (and back when `toStorage`). */
  convert?(obj: KubeObject, direction: 'toStorage' | 'fromStorage'): KubeObject;
}

export function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/**
 * All served types, indexed for the lookups the server makes on every request.
 * Built-ins are fixed at construction; CRDs are added and removed at run time.
 */
export class Scheme implements SchemaResolver {
  private readonly definitions = new Map<string, Schema>();
  /** `resolveRef` answers by whole reference string: walks resolve the same few refs per node, over and over. */
  private readonly byRef = new Map<string, Schema>();
  private readonly byGVR = new Map<string, ResourceType>();
  private readonly byGVK = new Map<string, ResourceType>();
  private readonly listeners = new Set<() => void>();
  private generation = 0;

  constructor(types: readonly ResourceType<any>[] = [], defs: readonly Def<any>[] = []) {
    for (const d of defs) this.definitions.set(d.name, d.definition);
    for (const rt of types) this.addType(rt, { silent: true });
  }

  /** Monotonic counter bumped on every change; caches key on it. */
  get version(): number {
    return this.generation;
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.generation++;
    for (const l of this.listeners) l();
  }

  addDefinitions(defs: Iterable<[string, Schema]>): void {
    for (const [name, s] of defs) this.definitions.set(name, s);
    this.byRef.clear();
    this.changed();
  }

  removeDefinitions(names: Iterable<string>): void {
    for (const n of names) this.definitions.delete(n);
    this.byRef.clear();
    this.changed();
  }

  addType(rt: ResourceType<any>, opts: { silent?: boolean } = {}): void {
    this.definitions.set(rt.definition.name, rt.definition.definition);
    this.byRef.clear();
    this.byGVR.set(`${rt.group}/${rt.version}/${rt.resource}`, rt);
    this.byGVK.set(gvkKey(rt.group, rt.version, rt.kind), rt);
    if (!opts.silent) this.changed();
  }

  removeType(group: string, version: string, resource: string): void {
    const rt = this.byGVR.get(`${group}/${version}/${resource}`);
    if (!rt) return;
    this.byGVR.delete(`${group}/${version}/${resource}`);
    this.byGVK.delete(gvkKey(rt.group, rt.version, rt.kind));
    this.changed();
  }

  resolveRef(ref: string): Schema | undefined {
    let s = this.byRef.get(ref);
    if (s === undefined) {
      s = this.definitions.get(refName(ref));
      // Only hits are kept: the set of names that resolve is bounded, the set of strings asked for is not.
      if (s) this.byRef.set(ref, s);
    }
    return s;
  }

  /** The definition that declares a kind (via x-kubernetes-group-version-kind), e.g. autoscaling/v1 Scale. */
  definitionForKind(group: string, version: string, kind: string): string | undefined {
    const rt = this.byKind(group, version, kind);
    if (rt) return rt.definition.name;
    for (const [name, s] of this.definitions) {
      if (s['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === kind)) return name;
    }
    return undefined;
  }

  definition(name: string): Schema | undefined {
    return this.definitions.get(name);
  }

  allDefinitions(): ReadonlyMap<string, Schema> {
    return this.definitions;
  }

  byResource(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGVR.get(`${group}/${version}/${resource}`);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byGVK.get(gvkKey(group, version, kind));
  }

  types(): ResourceType[] {
    return [...this.byGVR.values()];
  }

  /** Every version of one group/resource, storage version first. */
  versionsOf(group: string, resource: string): ResourceType[] {
    return this.types()
      .filter((t) => t.group === group && t.resource === resource)
      .sort((a, b) => Number(!!b.storageVersion) - Number(!!a.storageVersion));
  }

  /** The schema ref for a kind's definition. */
  static refOf(rt: ResourceType): Schema {
    return { $ref: DEFINITION_PREFIX + rt.definition.name };
  }
}
