import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodT } from '../api/core/v1/types.js';
import { defaultSelector, type WorkloadLookup } from './default-selector.js';

const lookup: WorkloadLookup = {
  services: (ns) => (ns === 'a' ? [{ spec: { selector: { app: 'web' } } }, { spec: { selector: { app: 'db' } } }, { spec: {} }] : []),
  controller: (kind, _ns, name) => {
    if (kind === 'ReplicaSet' && name === 'web-1') return { spec: { selector: { matchLabels: { 'pod-template-hash': '1' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } } };
    if (kind === 'ReplicationController' && name === 'rc') return { spec: { selector: { rc: 'yes' } } };
    return undefined;
  },
};

const pod = (ns: string, labels: Record<string, string>, owner?: { kind: string; name: string }): PodT => ({
  metadata: { name: 'p', namespace: ns, labels, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: owner.kind, name: owner.name, uid: 'u', controller: true }] } : {}) },
});

describe('defaultSelector', () => {
  const cases: Array<{ name: string; pod: PodT; want: unknown }> = [
    { name: 'no service and no controller: none', pod: pod('b', { app: 'web' }), want: undefined },
    { name: 'matching services only', pod: pod('a', { app: 'web' }), want: { matchLabels: { app: 'web' } } },
    {
      name: 'a ReplicaSet controller adds its selector',
      pod: pod('a', { app: 'web', 'pod-template-hash': '1', tier: 'x' }, { kind: 'ReplicaSet', name: 'web-1' }),
      want: { matchLabels: { app: 'web', 'pod-template-hash': '1' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    },
    { name: 'a ReplicationController selector is a plain map', pod: pod('b', { rc: 'yes' }, { kind: 'ReplicationController', name: 'rc' }), want: { matchLabels: { rc: 'yes' } } },
    { name: 'other owner kinds do not count', pod: pod('b', { x: 'y' }, { kind: 'Job', name: 'j' }), want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(defaultSelector(c.pod, lookup), c.want));
});
