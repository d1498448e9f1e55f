/**
 * Damaged protobuf bodies (what typed clients send) decode or fail with the
 * decoder's own error, never a crash deeper in: bytes flipped, dropped,
 * inserted and cut off from valid encodings of a pod, a deployment and a
 * node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from '../machinery/protobuf/codec.js';
import { seededRandom } from '../testing/random-objects.js';
import { builtinScheme } from './index.js';
import { protoSchemaLookup } from './proto-tags.js';

const scheme = builtinScheme();
const lookup = protoSchemaLookup(scheme);

const bodies: Array<[string, Record<string, unknown>]> = [
  [
    'io.k8s.api.core.v1.Pod',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' }, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '64Mi' } }, env: [{ name: 'A', value: 'b' }] }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      },
    },
  ],
  [
    'io.k8s.api.apps.v1.Deployment',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
  ],
  ['io.k8s.api.core.v1.Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }] } }],
];

test('damaged protobuf bodies decode or fail with the decoder\'s own error', () => {
  const r = seededRandom(42);
  let decoded = 0;
  let refused = 0;
  for (const [def, obj] of bodies) {
    const valid = encodeKubernetesProtobuf(obj, def, lookup);
    assert.equal((decodeKubernetesProtobuf(valid, lookup).object.metadata as { name: string }).name, (obj.metadata as { name: string }).name);
    for (let i = 0; i < 3000; i++) {
      const b = Array.from(valid);
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        // Past the 4-byte magic, which is checked first and would refuse everything.
        const at = 4 + Math.floor(r() * (b.length - 4));
        const what = r();
        if (what < 0.5) b[at] = Math.floor(r() * 256);
        else if (what < 0.7) b.splice(at, 1);
        else if (what < 0.9) b.splice(at, 0, Math.floor(r() * 256));
        else b.length = at;
      }
      try {
        decodeKubernetesProtobuf(Uint8Array.from(b), lookup);
        decoded++;
      } catch (err) {
        assert.ok(err instanceof Error && err.message.startsWith('protobuf: '), `${def} case ${i}: ${String(err)} for ${Buffer.from(b).toString('hex')}`);
        refused++;
      }
    }
  }
  assert.ok(decoded > 100 && refused > 100, `decoded ${decoded}, refused ${refused}`);
});
