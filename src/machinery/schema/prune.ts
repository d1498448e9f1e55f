/**
 * Structural pruning: drops every field the schema does not declare, as
 * apiextensions-apiserver prunes custom resources and as the built-in decoder
 * drops unknown fields. The removed paths feed fieldValidation=Strict|Warn.
 */
import { type Schema, type SchemaResolver, DEFINITION_PREFIX } from './types.js';
import { isPlainObject } from './json-value.js';

export const OBJECT_META_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export interface PruneOptions {
  resolver: SchemaResolver;
  /** Keep root metadata exactly as given instead of pruning it against ObjectMeta. */
  preserveMetadata?: boolean;
  /** Whether the value is a whole object whose apiVersion/kind/metadata are always kept (default true). */
  resourceRoot?: boolean;
}

/** The strict-decoding text for one pruned path, as upstream prints it. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

/**
 * Removes undeclared fields from `value` in place (the caller owns it) and
 * returns their paths in document order: `spec.foo`, `spec.containers[0].bar`.
 */
export function pruneUnknownFields(value: unknown, schema: Schema, opts: PruneOptions): string[] {
  const out: string[] = [];
  const p = new Pruner(opts, out);
  p.prune(value, schema, undefined, { resourceRoot: opts.resourceRoot ?? true });
  return out;
}

class Pruner {
  private objectMeta: Schema | undefined | null = null;

  constructor(
    private readonly opts: PruneOptions,
    private readonly out: string[],
  ) {}

  private resolve(schema: Schema | undefined): Schema | undefined {
    let s = schema;
    for (let i = 0; s && i < 32; i++) {
      if (s.$ref) s = this.opts.resolver.resolveRef(s.$ref);
      else if (s.allOf && s.allOf.length === 1 && !s.type && !s.properties && s.allOf[0]!.$ref) s = s.allOf[0];
      else break;
    }
    return s;
  }

  private metaSchema(declared: Schema | undefined): Schema | undefined {
    const s = this.resolve(declared);
    if (s && s.properties && !isNameOnly(s)) return s;
    if (this.objectMeta === null) this.objectMeta = this.opts.resolver.resolveRef(DEFINITION_PREFIX + OBJECT_META_DEFINITION);
    return this.objectMeta ?? undefined;
  }

  /**
   * `at` names the value for the paths of what is removed, built only then: a walk visits every
   * field, and almost none is unknown. Scalars are not descended into: nothing below them to prune.
   */
  prune(v: unknown, schema: Schema | undefined, at: PathRef | undefined, where: { resourceRoot: boolean }): void {
    const s = this.resolve(schema);
    if (Array.isArray(v)) {
      if (!s) return;
      const items = s.items;
      if (!items) return;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x !== null && typeof x === 'object') this.prune(x, items, { parent: at, key: i }, NOT_ROOT);
      }
      return;
    }
    if (!isPlainObject(v) || !s) return;
    const resourceRoot = where.resourceRoot || s['x-kubernetes-embedded-resource'] === true;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const props = s.properties;
    const ap = s.additionalProperties;
    for (const k of Object.keys(v)) {
      if (resourceRoot && (k === 'apiVersion' || k === 'kind')) continue;
      const x = v[k];
      const nested = x !== null && typeof x === 'object';
      if (resourceRoot && k === 'metadata') {
        if (where.resourceRoot && this.opts.preserveMetadata) continue;
        if (nested) this.prune(x, this.metaSchema(props?.metadata), { parent: at, key: k }, NOT_ROOT);
        continue;
      }
      const ps = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
      if (ps) {
        if (nested) this.prune(x, ps, { parent: at, key: k }, NOT_ROOT);
      } else if (ap && typeof ap === 'object') {
        if (nested) this.prune(x, ap, { parent: at, key: k }, NOT_ROOT);
      } else if (ap === true || preserve) {
        continue;
      } else {
        delete v[k];
        this.out.push(pathText({ parent: at, key: k }));
      }
    }
  }
}

const NOT_ROOT = { resourceRoot: false };

/** A field name or list index below its parent; the root has none. */
interface PathRef {
  parent: PathRef | undefined;
  key: string | number;
}

/** `spec.containers[0].bar`, as upstream names unknown fields. */
function pathText(ref: PathRef): string {
  const parts: Array<string | number> = [];
  for (let r: PathRef | undefined = ref; r; r = r.parent) parts.push(r.key);
  let out = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    out = typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p;
  }
  return out;
}

/** A CRD's root metadata schema may only restrict name/generateName; it still means ObjectMeta. */
function isNameOnly(s: Schema): boolean {
  const keys = Object.keys(s.properties ?? {});
  return keys.every((k) => k === 'name' || k === 'generateName');
}
