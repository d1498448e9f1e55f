import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Schema, MapResolver, refTo } from './types.js';
import { applyDefaults } from './defaults.js';

const defs = new Map<string, Schema>([['Port', { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } }]]);
const resolver = new MapResolver(defs);
const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'auto' },
        optional: { type: 'string', nullable: true, default: 'x' },
        strategy: { type: 'object', default: { type: 'Rolling' }, properties: { type: { type: 'string' }, maxSurge: { type: 'integer', default: 25 } } },
        ports: { type: 'array', items: refTo('Port') },
        byName: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: 10 } } } },
        wrapped: { allOf: [refTo('Port')], default: { port: 80 } },
        list: { type: 'array', items: { type: 'string', default: 'z' } },
      },
    },
  },
};

const cases: { name: string; value: Record<string, unknown>; want: Record<string, unknown> }[] = [
  { name: 'absent object gets its default, then defaults inside it', value: {}, want: { spec: { replicas: 1, mode: 'auto', optional: 'x', strategy: { type: 'Rolling', maxSurge: 25 }, wrapped: { port: 80, protocol: 'TCP' } } } },
  { name: 'present values are kept', value: { spec: { replicas: 3, mode: 'manual', optional: 'y', strategy: { type: 'Recreate' }, wrapped: { port: 1 } } }, want: { spec: { replicas: 3, mode: 'manual', optional: 'y', strategy: { type: 'Recreate', maxSurge: 25 }, wrapped: { port: 1, protocol: 'TCP' } } } },
  { name: 'null on a non-nullable field is defaulted, nullable null kept', value: { spec: { replicas: null, optional: null } }, want: { spec: { replicas: 1, mode: 'auto', optional: null, strategy: { type: 'Rolling', maxSurge: 25 }, wrapped: { port: 80, protocol: 'TCP' } } } },
  { name: 'array items through refs and additionalProperties values', value: { spec: { ports: [{ port: 1 }, { port: 2, protocol: 'UDP' }], byName: { a: {}, b: { weight: 1 } }, list: [null, 'q'] } }, want: { spec: { replicas: 1, mode: 'auto', optional: 'x', strategy: { type: 'Rolling', maxSurge: 25 }, ports: [{ port: 1, protocol: 'TCP' }, { port: 2, protocol: 'UDP' }], byName: { a: { weight: 10 }, b: { weight: 1 } }, wrapped: { port: 80, protocol: 'TCP' }, list: ['z', 'q'] } } },
];

describe('applyDefaults', () => {
  for (const c of cases) {
    test(c.name, () => {
      const v = structuredClone(c.value);
      applyDefaults(v, schema, { resolver });
      assert.deepEqual(v, c.want);
    });
  }
  test('defaults are copied, never shared with the schema', () => {
    const a: Record<string, unknown> = {};
    applyDefaults(a, schema, { resolver });
    ((a.spec as Record<string, unknown>).strategy as Record<string, unknown>).type = 'changed';
    const b: Record<string, unknown> = {};
    applyDefaults(b, schema, { resolver });
    assert.equal(((b.spec as Record<string, unknown>).strategy as Record<string, unknown>).type, 'Rolling');
  });
});
