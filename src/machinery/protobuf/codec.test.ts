import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Schema, MapResolver, refTo } from '../schema/types.js';
import { type ProtoSchemaLookup, decodeKubernetesProtobuf, decodeMessage, encodeKubernetesProtobuf, encodeMessage } from './codec.js';
import type { ProtoTagTable } from './tags.js';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const defs = new Map<string, Schema>([
  [META + 'Time', { type: 'string', format: 'date-time' }],
  [META + 'MicroTime', { type: 'string', format: 'date-time' }],
  [META + 'Duration', { type: 'string' }],
  [META + 'FieldsV1', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }],
  ['io.k8s.apimachinery.pkg.api.resource.Quantity', { type: 'string', 'x-kubernetes-int-or-string': true }],
  ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true }],
  ['t.Inner', { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer', format: 'int32' } } }],
  ['t.Union', { 'x-kubernetes-preserve-unknown-fields': true }],
  [
    't.Thing',
    {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'test.io', version: 'v1', kind: 'Thing' }],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        name: { type: 'string' },
        size: { type: 'integer', format: 'int64' },
        ratio: { type: 'number', format: 'double' },
        on: { type: 'boolean' },
        data: { type: 'string', format: 'byte' },
        nums: { type: 'array', items: { type: 'integer', format: 'int32' } },
        words: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        inner: refTo('t.Inner'),
        inners: { type: 'array', items: refTo('t.Inner') },
        byName: { type: 'object', additionalProperties: refTo('t.Inner') },
        at: refTo(META + 'Time'),
        atMicro: refTo(META + 'MicroTime'),
        every: refTo(META + 'Duration'),
        amount: refTo('io.k8s.apimachinery.pkg.api.resource.Quantity'),
        port: refTo('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
        fields: refTo(META + 'FieldsV1'),
        raw: { 'x-kubernetes-preserve-unknown-fields': true },
        hostPath: { type: 'string' },
        mode: { type: 'string' },
        either: refTo('t.Union'),
        ghost: { type: 'object', properties: { x: { type: 'string' } } },
      },
    },
  ],
]);
const tags: ProtoTagTable = {
  't.Inner': { name: 1, count: { tag: 2, omitEmpty: true } },
  't.Thing': {
    name: 1,
    size: 2,
    ratio: 3,
    on: 4,
    data: 5,
    nums: 6,
    words: 7,
    labels: 8,
    extra: { tag: 9, mapValueWrapper: 1 },
    inner: 10,
    inners: 11,
    byName: 12,
    at: 13,
    atMicro: 14,
    every: 15,
    amount: 16,
    port: 17,
    fields: 18,
    raw: 19,
    hostPath: [20, 1],
    mode: { tag: [20, 2], omitEmpty: true },
    either: 21,
  },
  't.Union': { $union: { boolean: 1, object: { tag: 2, definition: 't.Inner' }, array: { tag: 3 } } },
};
const lookup: ProtoSchemaLookup = {
  resolver: new MapResolver(defs),
  tags: (n) => tags[n],
  definitionForKind: (g, v, k) => (g === 'test.io' && v === 'v1' && k === 'Thing' ? 't.Thing' : undefined),
};

/** Hand-written protobuf: key bytes, lengths and payloads spelled out. */
const str = (s: string): number[] => [s.length, ...Buffer.from(s)];
const bytes = (...parts: (number | number[])[]): Uint8Array => Uint8Array.from(parts.flat());
/** A length-delimited payload: its length, then its bytes. */
const ld = (...parts: (number | number[])[]): number[] => {
  const flat = parts.flat();
  return [flat.length, ...flat];
};
/** Base-128 varint of a non-negative number. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (let x = n; ; x = Math.floor(x / 128)) {
    if (x < 128) return [...out, x];
    out.push((x % 128) | 0x80);
  }
};
const JAN_2021 = 1609459200;

const decodeCases: { name: string; wire: Uint8Array; want: Record<string, unknown> }[] = [
  { name: 'string, int64, double, bool', wire: bytes(0x0a, str('x'), 0x10, [0xac, 0x02], 0x19, [0, 0, 0, 0, 0, 0, 0xf8, 0x3f], 0x20, 1), want: { name: 'x', size: 300, ratio: 1.5, on: true } },
  { name: 'negative int64 as ten-byte varint', wire: bytes(0x10, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), want: { size: -1 } },
  { name: 'bytes become base64', wire: bytes(0x2a, 2, 0x76, 0x3d), want: { data: 'dj0=' } },
  { name: 'repeated scalars unpacked', wire: bytes(0x30, 1, 0x30, 2, 0x3a, str('a'), 0x3a, str('b')), want: { nums: [1, 2], words: ['a', 'b'] } },
  { name: 'repeated scalars packed', wire: bytes(0x32, 3, 1, 0xac, 0x02), want: { nums: [1, 300] } },
  { name: 'map entries', wire: bytes(0x42, ld(0x0a, str('k'), 0x12, str('v')), 0x42, ld(0x0a, str('e'), 0x12, 0)), want: { labels: { k: 'v', e: '' } } },
  { name: 'map with wrapped list values', wire: bytes(0x4a, ld(0x0a, str('s'), 0x12, ld(0x0a, str('a'))), 0x4a, ld(0x0a, str('t'), 0x12, 0)), want: { extra: { s: ['a'], t: [] } } },
  { name: 'nested, repeated and mapped messages', wire: bytes(0x52, 5, 0x0a, str('n'), 0x10, 7, 0x5a, 2, 0x10, 0, 0x62, 7, 0x0a, str('m'), 0x12, 2, 0x10, 1), want: { inner: { name: 'n', count: 7 }, inners: [{}], byName: { m: { count: 1 } } } },
  { name: 'Time is second precision, MicroTime microseconds', wire: bytes(0x6a, ld(0x08, varint(JAN_2021)), 0x72, ld(0x08, varint(JAN_2021), 0x10, varint(123_456_789))), want: { at: '2021-01-01T00:00:00Z', atMicro: '2021-01-01T00:00:00.123456Z' } },
  { name: 'an empty Time is absent', wire: bytes(0x6a, 0), want: {} },
  { name: 'Duration nanoseconds to a Go duration', wire: bytes(0x7a, ld(0x08, varint(123_000_000_000))), want: { every: '2m3s' } },
  { name: 'Quantity string', wire: bytes(0x82, 0x01, 6, 0x0a, str('500m')), want: { amount: '500m' } },
  { name: 'IntOrString int and string', wire: bytes(0x8a, 0x01, 4, 0x08, 0, 0x10, 80), want: { port: 80 } },
  { name: 'IntOrString string', wire: bytes(0x8a, 0x01, ld(0x08, 1, 0x10, 0, 0x1a, str('http'))), want: { port: 'http' } },
  { name: 'FieldsV1 and RawExtension carry JSON', wire: bytes(0x92, 0x01, ld(0x0a, str('{"f:a":{}}')), 0x9a, 0x01, ld(0x0a, str('{"a":[1]}'))), want: { fields: { 'f:a': {} }, raw: { a: [1] } } },
  { name: 'inlined struct fields and omitEmpty', wire: bytes(0xa2, 0x01, ld(0x0a, str('/x'), 0x12, str(''))), want: { hostPath: '/x' } },
  { name: 'union: boolean, object, array', wire: bytes(0xaa, 0x01, 2, 0x08, 0), want: { either: false } },
  { name: 'union object member', wire: bytes(0xaa, 0x01, 5, 0x12, 3, 0x0a, str('u')), want: { either: { name: 'u' } } },
  { name: 'union array member', wire: bytes(0xaa, 0x01, 3, 0x1a, str('p')), want: { either: ['p'] } },
  {
    name: 'unknown fields of every wire type are skipped',
    wire: bytes(0xf8, 0x07, 5, 0xf9, 0x07, [1, 2, 3, 4, 5, 6, 7, 8], 0xfa, 0x07, 2, 0x61, 0x62, 0xfd, 0x07, [1, 2, 3, 4], 0xfb, 0x07, 0x08, 1, 0xfc, 0x07, 0x0a, str('ok')),
    want: { name: 'ok' },
  },
];

describe('decodeMessage', () => {
  for (const c of decodeCases) {
    test(c.name, () => assert.deepEqual(decodeMessage(c.wire, 't.Thing', lookup), c.want));
  }
  test('a message without a tag table is refused, naming the definition', () => {
    assert.throws(() => decodeMessage(bytes(0xb2, 0x01, 0), 't.Nope', lookup), /t\.Nope/);
  });
  test('an inline object without a definition is refused when reached', () => {
    const l: ProtoSchemaLookup = { ...lookup, tags: (n) => (n === 't.Thing' ? { ghost: 30 } : tags[n]) };
    assert.throws(() => decodeMessage(bytes(), 't.Thing', l), /t\.Thing\.ghost/);
  });
  test('truncated input is an error', () => {
    assert.throws(() => decodeMessage(bytes(0x0a, 5, 0x61), 't.Thing', lookup), /truncated/);
  });
});

describe('envelope', () => {
  const thing = { apiVersion: 'test.io/v1', kind: 'Thing', name: 'n', nums: [1, -2], labels: { b: '2', a: '1' }, at: '2021-01-01T00:00:00Z', every: '1h0m0.5s', port: 'http', inner: { name: 'i' }, extra: { x: ['y'] }, hostPath: '/p', mode: 'm', either: true, raw: { z: null } };
  test('decodes the magic, typeMeta and raw message', () => {
    const unknown = bytes(0x0a, ld(0x0a, str('test.io/v1'), 0x12, str('Thing')), 0x12, ld(0x0a, str('n')), 0x1a, 0, 0x22, 0);
    const got = decodeKubernetesProtobuf(bytes([0x6b, 0x38, 0x73, 0x00], [...unknown]), lookup);
    assert.deepEqual(got, { apiVersion: 'test.io/v1', kind: 'Thing', object: { apiVersion: 'test.io/v1', kind: 'Thing', name: 'n' } });
  });
  test('encode then decode is the identity', () => {
    const back = decodeKubernetesProtobuf(encodeKubernetesProtobuf(thing, 't.Thing', lookup), lookup);
    assert.deepEqual(back.object, { ...thing, labels: { a: '1', b: '2' } });
  });
  test('fields are written in field-number order, map keys sorted', () => {
    const b = encodeMessage({ labels: { b: '2', a: '1' }, name: 'n' }, 't.Thing', lookup);
    assert.deepEqual([...b], [0x0a, ...str('n'), 0x42, 6, 0x0a, ...str('a'), 0x12, ...str('1'), 0x42, 6, 0x0a, ...str('b'), 0x12, ...str('2'), 0xa2, 0x01, 0]);
  });
  const refused: { name: string; body: Uint8Array; want: RegExp }[] = [
    { name: 'no magic', body: bytes(0x0a, 0), want: /prefix/ },
    { name: 'unregistered kind', body: bytes([0x6b, 0x38, 0x73, 0], 0x0a, ld(0x0a, str('v1'), 0x12, str('Nop'))), want: /Nop/ },
    { name: 'content encoding', body: bytes([0x6b, 0x38, 0x73, 0], 0x0a, ld(0x0a, str('test.io/v1'), 0x12, str('Thing')), 0x1a, str('gzip')), want: /gzip/ },
  ];
  for (const c of refused) test(`refuses: ${c.name}`, () => assert.throws(() => decodeKubernetesProtobuf(c.body, lookup), c.want));
});

describe('Go durations', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [300_000_000n, '300ms'],
    [1_000_000_000n, '1s'],
    [123_000_000_000n, '2m3s'],
    [3_600_500_000_000n, '1h0m0.5s'],
    [-90_000_000_000n, '-1m30s'],
  ];
  for (const [n, s] of cases) {
    test(`${n} <-> ${s}`, () => {
      assert.equal(formatGoDuration(n), s);
      assert.equal(parseGoDuration(s), n);
    });
  }
  test('rejects text that is not a duration', () => assert.equal(parseGoDuration('5 minutes'), undefined));
});
