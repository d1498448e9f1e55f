import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../../machinery/clock.js';
import { StatusError, notFound } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { type RequestContext, type UserInfo, systemContext } from '../../context.js';
import type { Store } from '../../registry/store.js';
import type { AdmissionAttributes } from '../types.js';
import { NodeRestriction, forbiddenNodeLabels, modifiedLabels, nodeIdentity } from './node-restriction.js';

const nodeUser = (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] });
const ctxFor = (user: UserInfo): RequestContext => ({ ...systemContext(realClock), user });

const pods: Record<string, KubeObject> = {
  'ns/mine': { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mine', namespace: 'ns', uid: 'u-mine' }, spec: { nodeName: 'a' } },
  'ns/theirs': { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'theirs', namespace: 'ns', uid: 'u-theirs' }, spec: { nodeName: 'b' } },
};
const podStore = {
  async get(ns: string, name: string) {
    const o = pods[`${ns}/${name}`];
    if (!o) throw notFound({ group: '', resource: 'pods' }, name);
    return { object: o };
  },
} as unknown as Store;

const plugin = new NodeRestriction({ pods: () => podStore });

function attrs(a: Partial<AdmissionAttributes> & Pick<AdmissionAttributes, 'operation' | 'resource'>): AdmissionAttributes {
  return { group: '', version: 'v1', subresource: '', kind: '', namespace: '', name: '', dryRun: false, ...a };
}

const node = (name: string, o: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: o.labels },
  spec: o.taints ? { taints: o.taints } : {},
});
const pod = (nodeName: string, labels?: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', labels, ...extra },
  spec: { nodeName, ...spec },
});
const mirror = (owner: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  pod('a', undefined, { annotations: { 'kubernetes.io/config.mirror': 'x' }, ownerReferences: [owner as never] }, spec);
const nodeOwner = { apiVersion: 'v1', kind: 'Node', name: 'a', uid: 'n-a', controller: true };

interface Case {
  name: string;
  user?: UserInfo;
  attrs: AdmissionAttributes;
  /** Expected Forbidden message; undefined means admitted. */
  refused?: string;
}

const cases: Case[] = [
  // Nodes
  { name: 'node creates itself', attrs: attrs({ operation: 'CREATE', resource: 'nodes', name: 'a', object: node('a', { labels: { 'kubernetes.io/hostname': 'a', 'node.kubernetes.io/instance-type': 'k8ts', team: 'x' }, taints: [{ key: 'k', effect: 'NoSchedule' }] }) }) },
  { name: 'node creates another node', attrs: attrs({ operation: 'CREATE', resource: 'nodes', name: 'b', object: node('b') }), refused: 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"' },
  { name: 'node updates another node', attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'b', object: node('b'), oldObject: node('b') }), refused: 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"' },
  { name: 'node updates another node status', attrs: attrs({ operation: 'UPDATE', resource: 'nodes', subresource: 'status', name: 'b', object: node('b'), oldObject: node('b') }), refused: 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"' },
  { name: 'node deletes another node', attrs: attrs({ operation: 'DELETE', resource: 'nodes', name: 'b', oldObject: node('b') }), refused: 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"' },
  { name: 'node deletes itself', attrs: attrs({ operation: 'DELETE', resource: 'nodes', name: 'a', oldObject: node('a') }) },
  {
    name: 'node registers with a role label',
    attrs: attrs({ operation: 'CREATE', resource: 'nodes', name: 'a', object: node('a', { labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-restriction.kubernetes.io/pool': 'x', 'example.k8s.io/y': '1' } }) }),
    refused: 'nodes "a" is forbidden: node "a" is not allowed to set the following labels: example.k8s.io/y, node-restriction.kubernetes.io/pool, node-role.kubernetes.io/control-plane',
  },
  { name: 'node changes its taints', attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'a', object: node('a', { taints: [] }), oldObject: node('a', { taints: [{ key: 'k', effect: 'NoSchedule' }] }) }), refused: 'nodes "a" is forbidden: node "a" is not allowed to modify taints' },
  { name: 'absent and empty taints are equal', attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'a', object: node('a', { taints: [] }), oldObject: node('a') }) },
  {
    name: 'node adds a role label on update',
    attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'a', object: node('a', { labels: { 'node-role.kubernetes.io/worker': '' } }), oldObject: node('a') }),
    refused: 'nodes "a" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker',
  },
  {
    name: 'node removes a role label someone else set',
    attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'a', object: node('a'), oldObject: node('a', { labels: { 'node-role.kubernetes.io/worker': '' } }) }),
    refused: 'nodes "a" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker',
  },
  { name: 'node keeps a role label others set and changes its own', attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'a', object: node('a', { labels: { 'node-role.kubernetes.io/worker': '', team: 'b', 'sub.node.kubernetes.io/x': '1' } }), oldObject: node('a', { labels: { 'node-role.kubernetes.io/worker': '', team: 'a' } }) }) },
  { name: 'node sets a configSource', attrs: attrs({ operation: 'CREATE', resource: 'nodes', name: 'a', object: { ...node('a'), spec: { configSource: { configMap: {} } } } }), refused: 'nodes "a" is forbidden: node "a" is not allowed to create pods with a non-nil configSource' },
  // Pods
  { name: 'pod status of a pod bound to the node', attrs: attrs({ operation: 'UPDATE', resource: 'pods', subresource: 'status', namespace: 'ns', name: 'p', object: pod('a', { app: 'x' }), oldObject: pod('a', { app: 'x' }) }) },
  { name: 'pod status of a pod bound elsewhere', attrs: attrs({ operation: 'UPDATE', resource: 'pods', subresource: 'status', namespace: 'ns', name: 'p', object: pod('b'), oldObject: pod('b') }), refused: 'pods "p" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself' },
  { name: 'pod labels through status', attrs: attrs({ operation: 'UPDATE', resource: 'pods', subresource: 'status', namespace: 'ns', name: 'p', object: pod('a', { app: 'y' }), oldObject: pod('a', { app: 'x' }) }), refused: 'pods "p" is forbidden: node "a" cannot update labels through pod status' },
  { name: 'pod spec update', attrs: attrs({ operation: 'UPDATE', resource: 'pods', namespace: 'ns', name: 'p', object: pod('a'), oldObject: pod('a') }), refused: 'pods "p" is forbidden: unexpected operation "UPDATE", node "a" can only create and delete mirror pods' },
  { name: 'delete a pod bound to the node', attrs: attrs({ operation: 'DELETE', resource: 'pods', namespace: 'ns', name: 'p', oldObject: pod('a') }) },
  { name: 'delete a pod bound elsewhere', attrs: attrs({ operation: 'DELETE', resource: 'pods', namespace: 'ns', name: 'p', oldObject: pod('b') }), refused: 'pods "p" is forbidden: node "a" can only delete pods with spec.nodeName set to itself' },
  { name: 'create an ordinary pod', attrs: attrs({ operation: 'CREATE', resource: 'pods', namespace: 'ns', name: 'p', object: pod('a') }), refused: 'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods' },
  { name: 'create a mirror pod owned by the node', attrs: attrs({ operation: 'CREATE', resource: 'pods', namespace: 'ns', name: 'p', object: mirror(nodeOwner) }) },
  { name: 'mirror pod owned by another node', attrs: attrs({ operation: 'CREATE', resource: 'pods', namespace: 'ns', name: 'p', object: mirror({ ...nodeOwner, name: 'b' }) }), refused: 'pods "p" is forbidden: node "a" can only create pods with an owner reference set to itself' },
  { name: 'mirror pod without controller owner', attrs: attrs({ operation: 'CREATE', resource: 'pods', namespace: 'ns', name: 'p', object: mirror({ ...nodeOwner, controller: false }) }), refused: 'pods "p" is forbidden: node "a" can only create pods with a controller owner reference set to itself' },
  { name: 'mirror pod with a secret volume', attrs: attrs({ operation: 'CREATE', resource: 'pods', namespace: 'ns', name: 'p', object: mirror(nodeOwner, { volumes: [{ name: 'v', secret: { secretName: 's' } }] }) }), refused: 'pods "p" is forbidden: node "a" can not create pods that reference secrets' },
  { name: 'evict a pod bound to the node', attrs: attrs({ operation: 'CREATE', resource: 'pods', subresource: 'eviction', namespace: 'ns', name: 'mine' }) },
  { name: 'evict a pod bound elsewhere', attrs: attrs({ operation: 'CREATE', resource: 'pods', subresource: 'eviction', namespace: 'ns', name: 'theirs' }), refused: 'pods "theirs" is forbidden: node a can only evict pods with spec.nodeName set to itself' },
  { name: 'other pod subresources', attrs: attrs({ operation: 'CREATE', resource: 'pods', subresource: 'binding', namespace: 'ns', name: 'p' }), refused: `pods "p" is forbidden: unexpected subresource "binding", only 'status' and 'eviction' are allowed` },
  // Leases
  { name: 'own lease', attrs: attrs({ operation: 'UPDATE', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'a' }) },
  { name: 'create own lease', attrs: attrs({ operation: 'CREATE', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'a', object: { metadata: { name: 'a' } } }) },
  { name: 'another node lease', attrs: attrs({ operation: 'UPDATE', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'b' }), refused: 'leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node' },
  { name: 'lease outside kube-node-lease', attrs: attrs({ operation: 'UPDATE', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'a' }), refused: 'leases.coordination.k8s.io "a" is forbidden: can only access leases in the "kube-node-lease" system namespace' },
  // Service account tokens
  { name: 'token for a pod on the node', attrs: attrs({ operation: 'CREATE', resource: 'serviceaccounts', subresource: 'token', namespace: 'ns', name: 'default', object: { metadata: {}, spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'u-mine' } } } }) },
  { name: 'token for a pod elsewhere', attrs: attrs({ operation: 'CREATE', resource: 'serviceaccounts', subresource: 'token', namespace: 'ns', name: 'default', object: { metadata: {}, spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'u-theirs' } } } }), refused: 'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node' },
  { name: 'unbound token', attrs: attrs({ operation: 'CREATE', resource: 'serviceaccounts', subresource: 'token', namespace: 'ns', name: 'default', object: { metadata: {}, spec: {} } }), refused: 'serviceaccounts "default" is forbidden: node requested token not bound to a pod' },
  // PVCs
  { name: 'pvc spec', attrs: attrs({ operation: 'UPDATE', resource: 'persistentvolumeclaims', namespace: 'ns', name: 'c' }), refused: 'persistentvolumeclaims "c" is forbidden: may only update PVC status' },
  {
    name: 'pvc capacity through status',
    attrs: attrs({ operation: 'UPDATE', resource: 'persistentvolumeclaims', subresource: 'status', namespace: 'ns', name: 'c', object: { metadata: { name: 'c', resourceVersion: '2' }, status: { capacity: { storage: '2Gi' } } }, oldObject: { metadata: { name: 'c', resourceVersion: '1' }, status: {} } }),
  },
  {
    name: 'pvc labels through status',
    attrs: attrs({ operation: 'UPDATE', resource: 'persistentvolumeclaims', subresource: 'status', namespace: 'ns', name: 'c', object: { metadata: { name: 'c', labels: { x: 'y' } }, status: {} }, oldObject: { metadata: { name: 'c' }, status: {} } }),
    refused: 'persistentvolumeclaims "c" is forbidden: node "a" is not allowed to update fields other than status.capacity and status.conditions',
  },
  // Everything else and other users
  { name: 'events are left alone', attrs: attrs({ operation: 'CREATE', resource: 'events', namespace: 'ns', name: 'e', object: { metadata: { name: 'e' } } }) },
  { name: 'a node user without a name', user: { username: 'system:node:', groups: ['system:nodes'] }, attrs: attrs({ operation: 'CREATE', resource: 'events', namespace: 'ns', name: 'e' }), refused: 'events "e" is forbidden: could not determine node from user "system:node:"' },
  { name: 'the node prefix without the group is not a node', user: { username: 'system:node:a', groups: [] }, attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'b', object: node('b'), oldObject: node('b') }) },
  { name: 'an admin is not restricted', user: { username: 'system:admin', groups: ['system:masters'] }, attrs: attrs({ operation: 'UPDATE', resource: 'nodes', name: 'b', object: node('b', { taints: [] }), oldObject: node('b', { taints: [{ key: 'k' }] }) }) },
];

describe('NodeRestriction', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const run = plugin.validate(c.attrs, ctxFor(c.user ?? nodeUser('a')));
      if (c.refused === undefined) return void (await run);
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof StatusError, String(err));
        assert.equal(err.code, 403);
        assert.equal(err.reason, 'Forbidden');
        assert.equal(err.message, c.refused);
        return true;
      });
    });
  }

  test('handles writes only', () => {
    assert.deepEqual((['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const).map((o) => plugin.handles(o)), [true, true, true, false]);
  });
});

describe('node label rules', () => {
  const cases: { name: string; keys: string[]; forbidden: string[] }[] = [
    { name: 'kubelet labels', keys: ['kubernetes.io/hostname', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type'], forbidden: [] },
    { name: 'kubelet label namespaces and subdomains', keys: ['kubelet.kubernetes.io/x', 'foo.node.kubernetes.io/y', 'node.kubernetes.io/z'], forbidden: [] },
    { name: 'unprefixed and foreign', keys: ['team', 'example.com/x'], forbidden: [] },
    { name: 'other kubernetes.io and k8s.io', keys: ['kubernetes.io/role', 'node-role.kubernetes.io/master', 'k8s.io/x', 'a.k8s.io/y'], forbidden: ['a.k8s.io/y', 'k8s.io/x', 'kubernetes.io/role', 'node-role.kubernetes.io/master'] },
    { name: 'node-restriction namespace', keys: ['node-restriction.kubernetes.io/a', 'x.node-restriction.kubernetes.io/b'], forbidden: ['node-restriction.kubernetes.io/a', 'x.node-restriction.kubernetes.io/b'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(forbiddenNodeLabels(c.keys), c.forbidden));

  test('modified labels: added, removed, changed', () => {
    assert.deepEqual(modifiedLabels({ a: '1', b: '2', c: '3' }, { a: '1', b: '0', d: '4' }).sort(), ['b', 'c', 'd']);
    assert.deepEqual(modifiedLabels(undefined, undefined), []);
  });

  test('node identity', () => {
    assert.equal(nodeIdentity(nodeUser('x')), 'x');
    assert.equal(nodeIdentity({ username: 'system:node:x', groups: [] }), undefined);
    assert.equal(nodeIdentity({ username: 'alice', groups: ['system:nodes'] }), undefined);
    assert.equal(nodeIdentity(undefined), undefined);
  });
});
