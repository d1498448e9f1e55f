import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import { metaDefinitions } from '../../meta/v1.js';
import { coreV1 } from '../../core/v1/index.js';
import { discoveryV1, defaultEndpointSlice, validateEndpointSlice, type EndpointSliceT } from './index.js';

const slice = (over: Partial<EndpointSliceT>): EndpointSliceT => ({
  metadata: { name: 'web-abc', namespace: 'default' },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1' } }],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  ...over,
});

describe('discovery.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...discoveryV1.definitions, ...metaDefinitions, ...coreV1.definitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(discoveryV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('endpoint slice fields are top-level, no spec', () => {
    const def = discoveryV1.definitions.find((d) => d.name === 'io.k8s.api.discovery.v1.EndpointSlice')!.definition;
    assert.deepEqual(Object.keys(def.properties!).sort(), ['addressType', 'apiVersion', 'endpoints', 'kind', 'metadata', 'ports']);
    assert.deepEqual(def.required, ['addressType', 'endpoints']);
  });

  test('ports default to unnamed TCP', () => {
    const s = slice({ ports: [{ port: 53 }] });
    defaultEndpointSlice(s);
    assert.deepEqual(s.ports, [{ port: 53, name: '', protocol: 'TCP' }]);
  });

  const cases: { name: string; s: EndpointSliceT; old?: EndpointSliceT; want: string[] }[] = [
    { name: 'valid', s: slice({}), want: [] },
    { name: 'valid FQDN', s: slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] }), want: [] },
    { name: 'bad address type', s: slice({ addressType: 'IPX' as never }), want: ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"'] },
    { name: 'IPv6 address in IPv4 slice', s: slice({ endpoints: [{ addresses: ['fd00::1'] }] }), want: ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'] },
    { name: 'no addresses', s: slice({ endpoints: [{ addresses: [] }] }), want: ['endpoints[0].addresses: Required value: must contain at least 1 address'] },
    { name: 'duplicate port names', s: slice({ ports: [{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'a', port: 2, protocol: 'TCP' }] }), want: ['ports[1].name: Duplicate value: "a"'] },
    { name: 'address type changed', s: slice({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] }), old: slice({}), want: ['addressType: Invalid value: "IPv6": field is immutable'] },
  ];
  for (const c of cases) test(`endpoint slice: ${c.name}`, () => assert.deepEqual(validateEndpointSlice(c.s, c.old).map(fieldErrorText), c.want));
});
