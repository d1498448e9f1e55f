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
  p.prune(value, schema, '', { resourceRoot: opts.resourceRoot ?? true });
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

  prune(v: unknown, schema: Schema | undefined, path: string, where: { resourceRoot: boolean }): void {
    const s = this.resolve(schema);
    if (Array.isArray(v)) {
      if (!s) return;
      const items = s.items;
      if (!items) return;
      for (let i = 0; i < v.length; i++) this.prune(v[i], items, `${path}[${i}]`, { resourceRoot: false });
      return;
    }
    if (!isPlainObject(v) || !s) return;
    const resourceRoot = where.resourceRoot || s['x-kubernetes-embedded-resource'] === true;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const props = s.properties;
    const ap = s.additionalProperties;
    for (const k of Object.keys(v)) {
      const at = path ? `${path}.${k}` : k;
      if (resourceRoot && (k === 'apiVersion' || k === 'kind')) continue;
      if (resourceRoot && k === 'metadata') {
        if (where.resourceRoot && this.opts.preserveMetadata) continue;
        this.prune(v[k], this.metaSchema(props?.metadata), at, { resourceRoot: false });
        continue;
      }
      const ps = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
      if (ps) {
        this.prune(v[k], ps, at, { resourceRoot: false });
      } else if (ap && typeof ap === 'object') {
        this.prune(v[k], ap, at, { resourceRoot: false });
      } else if (ap === true || preserve) {
        continue;
      } else {
        delete v[k];
        this.out.push(at);
      }
    }
  }
}

/** A CRD's root metadata schema may only restrict name/generateName; it still means ObjectMeta. */
function isNameOnly(s: Schema): boolean {
  const keys = Object.keys(s.properties ?? {});
  return keys.every((k) => k === 'name' || k === 'generateName');
}
