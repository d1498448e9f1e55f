/**
 * Sets of field paths as server-side apply tracks them, and their FieldsV1
 * trie encoding. A path is a list of elements: a field name (`f:`), the keys
 * of an item in a map-type list (`k:`), the value of an item in a set-type
 * list (`v:`) or the position of an item in a list without identity (`i:`).
 *
 * A node of the trie can at once be a member of the set and the parent of
 * other members (a list item that was added, with the fields it carries);
 * FieldsV1 marks such a node with a `"."` entry. Ordering and byte layout of
 * the encoding match upstream so stored managedFields compare equal.
 */

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  /** Key fields sorted by name, as upstream keeps them. */
  | { readonly kind: 'key'; readonly fields: ReadonlyArray<readonly [string, unknown]> }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number };

export type FieldPath = readonly PathElement[];

// Field elements are immutable and few (schema field names, label keys): share one per name
// so their encodings are computed once per process, not once per request.
const internedFields = new Map<string, PathElement>();
const MAX_INTERNED_FIELDS = 50_000;

export const pe = {
  field: (name: string): PathElement => {
    let e = internedFields.get(name);
    if (!e) {
      e = Object.freeze({ kind: 'field', name }) as PathElement;
      if (internedFields.size < MAX_INTERNED_FIELDS) internedFields.set(name, e);
    }
    return e;
  },
  key: (fields: Record<string, unknown>): PathElement => ({
    kind: 'key',
    fields: Object.keys(fields)
      .sort(compareStrings)
      .map((k) => [k, fields[k]] as const),
  }),
  value: (value: unknown): PathElement => ({ kind: 'value', value }),
  index: (index: number): PathElement => ({ kind: 'index', index }),
};

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * JSON as Go's encoder writes it: HTML-significant characters and the two
 * JavaScript line separators escaped, object keys sorted (maps in Go are).
 */
export function goJson(v: unknown): string {
  const text = JSON.stringify(typeof v === 'object' && v !== null ? canonical(v) : v);
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED_ALL, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : text;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort(compareStrings)) out[k] = canonical(o[k]);
    return out;
  }
  return v;
}

/** The FieldsV1 key of an element, which is also its identity inside a set. */
export function encodePathElement(e: PathElement): string {
  // Walks share path elements between a node and its descendants: encode each once.
  let k = encodedElements.get(e);
  if (k === undefined) encodedElements.set(e, (k = encodeUncached(e)));
  return k;
}

const encodedElements = new WeakMap<PathElement, string>();

function encodeUncached(e: PathElement): string {
  switch (e.kind) {
    case 'field':
      return 'f:' + e.name;
    case 'key':
      // Keys are already sorted; emit them in that order rather than re-sorting by JSON.
      return 'k:{' + e.fields.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',') + '}';
    case 'value':
      return 'v:' + goJson(e.value);
    case 'index':
      return 'i:' + String(e.index);
  }
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function decodePathElement(s: string): DecodeResult<PathElement> {
  const colon = s.indexOf(':');
  if (colon !== 1) return { ok: false, error: `unknown path element type in "${s}"` };
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { ok: true, value: pe.field(body) };
    case 'i': {
      if (!/^(0|[1-9][0-9]*)$/.test(body)) return { ok: false, error: `invalid index in "${s}"` };
      return { ok: true, value: pe.index(Number(body)) };
    }
    case 'v':
    case 'k': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return { ok: false, error: `invalid JSON in path element "${s}"` };
      }
      if (s[0] === 'v') return { ok: true, value: pe.value(parsed) };
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: `key is not an object in "${s}"` };
      return { ok: true, value: pe.key(parsed as Record<string, unknown>) };
    }
    default:
      return { ok: false, error: `unknown path element type in "${s}"` };
  }
}

function typeRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (typeof v === 'object' && v !== null) return 4;
  return 5; // null
}

/** Total order over JSON values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a as number) - (b as number);
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return Number(a) - Number(b);
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < la.length && i < lb.length; i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 4: {
      const ka = Object.keys(a as object).sort(compareStrings);
      const kb = Object.keys(b as object).sort(compareStrings);
      for (let i = 0; i < ka.length && i < kb.length; i++) {
        const c = compareStrings(ka[i]!, kb[i]!) || compareValues((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!]);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    default:
      return 0;
  }
}

const kindRank = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Upstream's element order: field names, then keys, then values, then indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return kindRank[a.kind] - kindRank[b.kind];
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const fb = (b as typeof a).fields;
      for (let i = 0; i < a.fields.length && i < fb.length; i++) {
        const c = compareStrings(a.fields[i]![0], fb[i]![0]) || compareValues(a.fields[i]![1], fb[i]![1]);
        if (c !== 0) return c;
      }
      return a.fields.length - fb.length;
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
  }
}

/** A value as upstream prints it inside a path: strings quoted, compounds as JSON. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return goJson(v);
  return String(v);
}

export function pathElementToString(e: PathElement): string {
  switch (e.kind) {
    case 'field':
      return '.' + e.name;
    case 'key':
      return '[' + e.fields.map(([k, v]) => `${k}=${valueText(v)}`).join(',') + ']';
    case 'value':
      return `[=${valueText(e.value)}]`;
    case 'index':
      return `[${e.index}]`;
  }
}

/** `.spec.containers[name="nginx"].image`, as conflict messages print paths. */
export function pathToString(path: FieldPath): string {
  return path.map(pathElementToString).join('');
}

interface Node {
  pe: PathElement;
  member: boolean;
  children: FieldSet | undefined;
}

/**
 * An immutable set of paths. Operations return new sets and share unchanged
 * subtrees; nothing reachable from a returned set is ever mutated.
 */
export class FieldSet {
  private constructor(private readonly nodes: ReadonlyMap<string, Node>) {}

  static readonly EMPTY = new FieldSet(new Map());

  static of(...paths: FieldPath[]): FieldSet {
    const b = new FieldSetBuilder();
    for (const p of paths) b.insert(p);
    return b.build();
  }

  /** Decodes a FieldsV1 trie (`{"f:spec":{"f:replicas":{}}}`). */
  static fromFieldsV1(v: unknown): DecodeResult<FieldSet> {
    const d = FieldSet.decode(v);
    if (!d.ok) return d;
    // A trie already in the form `toFieldsV1` writes is kept, and written back as it is while the set is unchanged.
    if (d.canonical && !d.hasSelf) d.value.source = v as Record<string, unknown>;
    return { ok: true, value: d.value };
  }

  /**
   * Decodes a trie level. `canonical` says whether its entries other than "." are exactly what encoding
   * the result writes (encoded as `toFieldsV1` encodes them, in its order); `selfFirst` whether the level
   * starts with an empty "." entry and has no other, as a member with children is written.
   */
  private static decode(v: unknown): { ok: true; value: FieldSet; canonical: boolean; selfFirst: boolean; hasSelf: boolean } | { ok: false; error: string } {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'FieldsV1 is not a JSON object' };
    const nodes = new Map<string, Node>();
    let canonical = true;
    let index = 0;
    let selfFirst = false;
    let hasSelf = false;
    let previous: PathElement | undefined;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (k === '.') {
        hasSelf = true;
        selfFirst = index === 0 && typeof child === 'object' && child !== null && Object.keys(child).length === 0;
        index++;
        continue;
      }
      index++;
      const d = decodePathElement(k);
      if (!d.ok) return d;
      if (typeof child !== 'object' || child === null || Array.isArray(child)) return { ok: false, error: `value of "${k}" is not a JSON object` };
      const entries = Object.keys(child);
      let children: FieldSet | undefined;
      const member = entries.length === 0 || entries.includes('.');
      if (entries.some((e) => e !== '.')) {
        const sub = FieldSet.decode(child);
        if (!sub.ok) return sub;
        children = sub.value;
        canonical &&= sub.canonical && (member ? sub.selfFirst : !sub.hasSelf);
      } else if (entries.length) canonical = false;
      const key = encodePathElement(d.value);
      if (key !== k || (previous && comparePathElements(previous, d.value) >= 0)) canonical = false;
      previous = d.value;
      nodes.set(key, { pe: d.value, member, children });
    }
    return { ok: true, value: new FieldSet(nodes), canonical, selfFirst, hasSelf };
  }

  /** The trie this set was decoded from, when that is exactly what encoding it writes. */
  private source?: Record<string, unknown>;

  toFieldsV1(): Record<string, unknown> {
    return this.source ?? this.encode(false);
  }

  private encode(self: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (self && this.nodes.size > 0) out['.'] = {};
    for (const n of this.sortedNodes()) {
      out[encodePathElement(n.pe)] = n.children ? n.children.encode(n.member) : {};
    }
    return out;
  }

  private sortedNodes(): Node[] {
    return [...this.nodes.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  get empty(): boolean {
    return this.nodes.size === 0;
  }

  /** Number of member paths. */
  get size(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += (node.member ? 1 : 0) + (node.children?.size ?? 0);
    return n;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const n = this.nodes.get(encodePathElement(path[0]!));
    if (!n) return false;
    if (path.length === 1) return n.member;
    return n.children?.has(path.slice(1)) ?? false;
  }

  /** Whether the path or anything below it is in the set. */
  hasPrefix(path: FieldPath): boolean {
    if (path.length === 0) return !this.empty;
    const n = this.nodes.get(encodePathElement(path[0]!));
    if (!n) return false;
    if (path.length === 1) return true;
    return n.children?.hasPrefix(path.slice(1)) ?? false;
  }

  /** Whether the element is a member at this level. */
  hasMember(e: PathElement): boolean {
    return this.nodes.get(encodePathElement(e))?.member ?? false;
  }

  /** The paths below `e`, relative to it. */
  withPrefix(e: PathElement): FieldSet {
    return this.nodes.get(encodePathElement(e))?.children ?? FieldSet.EMPTY;
  }

  /** The elements present at this level (members or parents), sorted. */
  topLevel(): PathElement[] {
    return this.sortedNodes().map((n) => n.pe);
  }

  *[Symbol.iterator](): IterableIterator<FieldPath> {
    for (const n of this.sortedNodes()) {
      if (n.member) yield [n.pe];
      if (n.children) for (const p of n.children) yield [n.pe, ...p];
    }
  }

  paths(): FieldPath[] {
    return [...this];
  }

  equals(o: FieldSet): boolean {
    if (this.nodes.size !== o.nodes.size) return false;
    for (const [k, n] of this.nodes) {
      const m = o.nodes.get(k);
      if (!m || m.member !== n.member) return false;
      if (!(n.children ?? FieldSet.EMPTY).equals(m.children ?? FieldSet.EMPTY)) return false;
    }
    return true;
  }

  /** Sets that gain nothing come back as themselves, so what was decoded is written back unchanged. */
  union(o: FieldSet): FieldSet {
    if (o.empty) return this;
    if (this.empty) return o;
    const nodes = new Map(this.nodes);
    let changed = false;
    for (const [k, m] of o.nodes) {
      const n = nodes.get(k);
      if (!n) {
        nodes.set(k, m);
        changed = true;
        continue;
      }
      const children = n.children ? (m.children ? n.children.union(m.children) : n.children) : m.children;
      if (children === n.children && (n.member || !m.member)) continue;
      nodes.set(k, { pe: n.pe, member: n.member || m.member, children: orUndefined(children ?? FieldSet.EMPTY) });
      changed = true;
    }
    return changed ? new FieldSet(nodes) : this;
  }

  intersection(o: FieldSet): FieldSet {
    const nodes = new Map<string, Node>();
    for (const [k, n] of this.nodes) {
      const m = o.nodes.get(k);
      if (!m) continue;
      const children = n.children && m.children ? orUndefined(n.children.intersection(m.children)) : undefined;
      const member = n.member && m.member;
      if (member || children) nodes.set(k, { pe: n.pe, member, children });
    }
    return new FieldSet(nodes);
  }

  /** Removes the paths of `o` exactly: members of `o` do not take their subtrees with them. */
  difference(o: FieldSet): FieldSet {
    if (o.empty || this.empty) return this;
    const nodes = new Map<string, Node>();
    let changed = false;
    for (const [k, n] of this.nodes) {
      const m = o.nodes.get(k);
      if (!m) {
        nodes.set(k, n);
        continue;
      }
      const member = n.member && !m.member;
      const children = n.children ? orUndefined(m.children ? n.children.difference(m.children) : n.children) : undefined;
      if (member === n.member && children === n.children) {
        nodes.set(k, n);
        continue;
      }
      changed = true;
      if (member || children) nodes.set(k, { pe: n.pe, member, children });
    }
    return changed ? new FieldSet(nodes) : this;
  }

  /** Removes the paths of `o` and everything below members of `o`. */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.empty || this.empty) return this;
    const nodes = new Map<string, Node>();
    let changed = false;
    for (const [k, n] of this.nodes) {
      const m = o.nodes.get(k);
      if (!m) {
        nodes.set(k, n);
        continue;
      }
      changed ||= m.member;
      if (m.member) continue;
      const children = n.children ? orUndefined(m.children ? n.children.recursiveDifference(m.children) : n.children) : undefined;
      if (children === n.children) {
        nodes.set(k, n);
        continue;
      }
      changed = true;
      if (n.member || children) nodes.set(k, { pe: n.pe, member: n.member, children });
    }
    return changed ? new FieldSet(nodes) : this;
  }

  /** One path per line, as upstream prints a set. */
  toString(): string {
    return this.paths().map(pathToString).join('\n');
  }
}

function orUndefined(s: FieldSet): FieldSet | undefined {
  return s.empty ? undefined : s;
}

/** Collects paths into a fresh set; used while walking objects. */
export class FieldSetBuilder {
  private readonly root: BuilderNode = { pe: pe.field(''), member: false, children: new Map() };

  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    this.nodeAt(path).member = true;
    return this;
  }

  /**
   * The trie node of a non-empty `path`, created (not a member) where
   * missing. A walk that adds a whole subtree marks members below it with
   * `childOf` instead of inserting each path from the root.
   */
  nodeAt(path: FieldPath): BuilderNode {
    let node = this.root;
    for (const e of path) node = childOf(node, e);
    return node;
  }

  build(): FieldSet {
    return freeze(this.root.children);
  }
}

export interface BuilderNode {
  pe: PathElement;
  member: boolean;
  children: Map<string, BuilderNode>;
}

/** The child of `node` for element `e`, created (not a member) where missing. */
export function childOf(node: BuilderNode, e: PathElement): BuilderNode {
  const k = encodePathElement(e);
  let next = node.children.get(k);
  if (!next) {
    next = { pe: e, member: false, children: new Map() };
    node.children.set(k, next);
  }
  return next;
}

function freeze(children: Map<string, BuilderNode>): FieldSet {
  if (children.size === 0) return FieldSet.EMPTY;
  const nodes = new Map<string, Node>();
  for (const [k, n] of children) nodes.set(k, { pe: n.pe, member: n.member, children: n.children.size ? freeze(n.children) : undefined });
  return fromNodes(nodes);
}

// The constructor stays private so outside code cannot build inconsistent tries.
const fromNodes = (nodes: Map<string, Node>): FieldSet => new (FieldSet as unknown as new (n: Map<string, Node>) => FieldSet)(nodes);

/** A set of field-name paths, e.g. `fieldSetOfNames([['status'], ['metadata', 'labels']])`. */
export function fieldSetOfNames(paths: ReadonlyArray<readonly string[]>): FieldSet {
  const b = new FieldSetBuilder();
  for (const p of paths) b.insert(p.map((n) => pe.field(n)));
  return b.build();
}
