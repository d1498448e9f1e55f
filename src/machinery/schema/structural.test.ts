import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../errors/field.js';
import type { Schema } from './types.js';
import { checkStructuralSchema } from './structural.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const wrap = (spec: Schema): Schema => ({ type: 'object', properties: { spec } });

const cases: { name: string; schema: Schema; want: string[] }[] = [
  { name: 'a good schema', schema: { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } }, spec: { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, any: { 'x-kubernetes-preserve-unknown-fields': true }, labels: { type: 'object', additionalProperties: { type: 'string' } } } } } }, want: [] },
  { name: 'missing type on a field', schema: wrap({ type: 'object', properties: { a: {} } }), want: [`${P}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`] },
  { name: 'missing type on array items and array without items', schema: wrap({ type: 'object', properties: { a: { type: 'array', items: {} }, b: { type: 'array' } } }), want: [`${P}.properties[spec].properties[a].items.type: Required value: must not be empty for specified array items`, `${P}.properties[spec].properties[b].items: Required value: must be specified`] },
  { name: 'missing type at the root', schema: { properties: {} }, want: [`${P}.type: Required value: must not be empty at the root`] },
  { name: '$ref', schema: wrap({ $ref: '#/definitions/x' }), want: [`${P}.properties[spec].$ref: Forbidden: $ref is not supported`, `${P}.properties[spec].type: Required value: must not be empty for specified object fields`] },
  { name: 'properties with additionalProperties', schema: wrap({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }), want: [`${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`] },
  { name: 'additionalProperties at the root', schema: { type: 'object', additionalProperties: { type: 'string' } }, want: [`${P}.additionalProperties: Forbidden: must not be used at the root`] },
  { name: 'list-map without keys', schema: wrap({ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { name: { type: 'string' } } } } } }), want: [`${P}.properties[spec].properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`] },
  { name: 'list-map key not scalar and not required', schema: wrap({ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'object' } } } } } }), want: [`${P}.properties[spec].properties[l].items.properties[k].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map`, `${P}.properties[spec].properties[l].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`] },
  { name: 'list-map key missing from item properties', schema: wrap({ type: 'object', properties: { l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { n: { type: 'string' } } } } } }), want: [`${P}.properties[spec].properties[l].x-kubernetes-list-map-keys: Invalid value: ["k"]: entries must all be names of item properties`] },
  { name: 'metadata beyond name and generateName', schema: { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, want: [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`] },
  { name: 'default in top-level metadata', schema: { type: 'object', properties: { metadata: { type: 'object', default: {} } } }, want: [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`] },
  { name: 'type inside a junctor', schema: wrap({ type: 'object', anyOf: [{ type: 'object', description: 'x' }] }), want: [`${P}.properties[spec].anyOf[0].description: Forbidden: must be empty to be structural`, `${P}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`] },
  { name: 'uniqueItems', schema: wrap({ type: 'object', properties: { a: { type: 'array', items: { type: 'string' }, uniqueItems: true } } }), want: [`${P}.properties[spec].properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`] },
  { name: 'default of the wrong type', schema: wrap({ type: 'object', properties: { n: { type: 'integer', default: 'x' } } }), want: [`${P}.properties[spec].properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`] },
  { name: 'default with unknown fields', schema: wrap({ type: 'object', properties: { o: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 'y' } } } }), want: [`${P}.properties[spec].properties[o].default: Invalid value: {"a":"x","b":"y"}: must not have unknown fields`] },
  { name: 'default outside the enum', schema: wrap({ type: 'object', properties: { c: { type: 'string', enum: ['a'], default: 'b' } } }), want: [`${P}.properties[spec].properties[c].default: Unsupported value: "b": supported values: "a"`] },
  { name: 'embedded resource without object type', schema: wrap({ type: 'object', properties: { e: { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } }), want: [`${P}.properties[spec].properties[e].type: Required value: must be object if x-kubernetes-embedded-resource is true`] },
];

describe('checkStructuralSchema', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(checkStructuralSchema(c.schema, P).map(fieldErrorText), c.want);
    });
  }
});
