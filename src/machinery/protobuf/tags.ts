/**
 * The one fact protobuf needs beyond an API type's schema: each field's
 * number in upstream's generated.proto. Everything else (wire types,
 * repetition, maps, nested messages) is derived from the schema by the codec.
 */

/**
 * Where one JSON field lives in its protobuf message:
 * - `3`: field number 3 of the message.
 * - `[2, 14]`: a path through messages Go inlines into the JSON object
 *   (`json:",inline"`): field 2 holds an embedded message (Volume's
 *   VolumeSource) whose field 14 is this JSON field.
 * - `{ tag, ... }`: the same, with a note on how the value is encoded.
 */
export type ProtoFieldTag = number | readonly number[] | ProtoFieldOverride;

export interface ProtoFieldOverride {
  tag: number | readonly number[];
  /**
   * The field is a map whose values are wrapped in a message: the JSON value
   * of each entry is field `mapValueWrapper` of that message
   * (`map<string, ExtraValue>` with `ExtraValue { repeated string items = 1 }`).
   */
  mapValueWrapper?: number;
  /**
   * A scalar that is a non-pointer `omitempty` field in Go: the wire always
   * carries it, and its zero value ('' / 0 / false) means "unset", so the
   * decoder leaves it out of the JSON, as Go's JSON encoder would.
   */
  omitEmpty?: boolean;
}

/** JSON field name -> where it lives; `apiVersion`/`kind` of a kind are never listed (the envelope carries them). */
export type ProtoFieldTags = Readonly<Record<string, ProtoFieldTag>>;

/**
 * A definition whose JSON value takes one of several JSON types, each held in
 * its own field of the message (apiextensions' JSONSchemaPropsOrBool,
 * ...OrArray, ...OrStringArray). An array holds messages of `definition`, or
 * strings when `definition` is absent.
 */
export interface ProtoUnionTags {
  readonly $union: {
    readonly boolean?: number;
    readonly object?: { readonly tag: number; readonly definition: string };
    readonly array?: { readonly tag: number; readonly definition?: string };
  };
}

export type ProtoMessageTags = ProtoFieldTags | ProtoUnionTags;

/** Definition name (OpenAPI name, e.g. `io.k8s.api.core.v1.Pod`) -> its message's field numbers. */
export type ProtoTagTable = Readonly<Record<string, ProtoMessageTags>>;

export function isUnionTags(t: ProtoMessageTags): t is ProtoUnionTags {
  return typeof (t as ProtoUnionTags).$union === 'object';
}

export interface NormalizedFieldTag {
  path: readonly number[];
  mapValueWrapper?: number;
  omitEmpty: boolean;
}

export function normalizeFieldTag(t: ProtoFieldTag): NormalizedFieldTag {
  if (typeof t === 'number') return { path: [t], omitEmpty: false };
  if (Array.isArray(t)) return { path: t as readonly number[], omitEmpty: false };
  const o = t as ProtoFieldOverride;
  const path = typeof o.tag === 'number' ? [o.tag] : o.tag;
  return { path, ...(o.mapValueWrapper !== undefined ? { mapValueWrapper: o.mapValueWrapper } : {}), omitEmpty: o.omitEmpty === true };
}
