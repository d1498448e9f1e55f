import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../machinery/errors/index.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { canonicalJSON, controllerRevisionName, fnv32, hashRevisionData, safeEncodeString } from './hash.js';
import { CONTROLLER_REVISION_HASH_LABEL, type ControllerRevision, equalRevision, newControllerRevision, nextRevision, revisionsToTruncate, sortRevisions, templatePatch } from './revisions.js';
import { RealControllerRevisionControl } from './revision-control.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('hash', () => {
  const vectors: Array<[string, number]> = [
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['foobar', 0x31f0b262],
  ];
  for (const [input, want] of vectors) test(`fnv32 of ${JSON.stringify(input)}`, () => assert.equal(fnv32(enc(input)), want));
  test('safe encoding maps digits into the vowel-free alphabet', () => assert.equal(safeEncodeString('12'), '56'));
  test('canonical JSON sorts keys and drops undefined', () => assert.equal(canonicalJSON({ b: 1, a: { d: [{ z: 1, y: undefined }], c: 2 } }), '{"a":{"c":2,"d":[{"z":1}]},"b":1}'));
  test('key order does not change the hash; collision count does', () => {
    assert.equal(hashRevisionData({ a: 1, b: 2 }), hashRevisionData({ b: 2, a: 1 }));
    assert.notEqual(hashRevisionData({ a: 1 }, 0), hashRevisionData({ a: 1 }, 1));
    assert.match(hashRevisionData({ a: 1 }, 0), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  test('long owner names are cut', () => assert.equal(controllerRevisionName('x'.repeat(300), 'abc').length, 223 + 4));
});

function rev(name: string, revision: number, data: unknown = { v: name }, created = '2025-01-01T00:00:00Z'): ControllerRevision {
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, namespace: 'ns', creationTimestamp: created }, data, revision };
}

describe('revisions', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
  test('newControllerRevision names, labels and owns the revision', () => {
    const data = templatePatch({ metadata: { labels: { app: 'web' } }, spec: { containers: [] } });
    const r = newControllerRevision({ owner, ownerKind: { apiVersion: 'apps/v1', kind: 'StatefulSet' }, labels: { app: 'web' }, data, revision: 3, collisionCount: 0 });
    const hash = hashRevisionData(data, 0);
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.deepEqual(r.metadata.labels, { app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: hash });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(r.revision, 3);
    assert.deepEqual(r.data, { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [] } } } });
  });
  test('equality is by data', () => {
    assert.ok(equalRevision(rev('a', 1, { x: 1, y: 2 }), rev('b', 2, { y: 2, x: 1 })));
    assert.ok(!equalRevision(rev('a', 1, { x: 1 }), rev('b', 2, { x: 2 })));
  });
  test('sorted by number, then time, then name', () => {
    const sorted = sortRevisions([rev('c', 2), rev('b', 1, {}, '2025-01-02T00:00:00Z'), rev('a', 1, {}, '2025-01-02T00:00:00Z'), rev('z', 1)]);
    assert.deepEqual(sorted.map((r) => r.metadata.name), ['z', 'a', 'b', 'c']);
  });
  test('nextRevision', () => {
    assert.equal(nextRevision([]), 1);
    assert.equal(nextRevision([rev('a', 4), rev('b', 2)]), 5);
  });
  const truncCases = [
    { name: 'under the limit keeps all', limit: 10, live: [], want: [] },
    { name: 'oldest unused go first', limit: 1, live: [], want: ['r1', 'r2', 'r3'] },
    { name: 'live revisions never go', limit: 1, live: ['r1', 'r4'], want: ['r2'] },
    { name: 'limit zero removes every unused one', limit: 0, live: ['r4'], want: ['r1', 'r2', 'r3'] },
  ];
  for (const c of truncCases) {
    test(`truncate: ${c.name}`, () => {
      const all = [rev('r4', 4), rev('r2', 2), rev('r1', 1), rev('r3', 3)];
      assert.deepEqual(revisionsToTruncate(all, new Set(c.live), c.limit).map((r) => r.metadata.name), c.want);
    });
  }
});

describe('RealControllerRevisionControl.create', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
  function fakeClient(existing: ControllerRevision[]) {
    const store = new Map(existing.map((r) => [r.metadata.name!, r]));
    const client = {
      inNamespace: () => client,
      create: async (r: ControllerRevision) => {
        if (store.has(r.metadata.name!)) throw new StatusError(409, 'AlreadyExists', 'exists');
        store.set(r.metadata.name!, r);
        return r;
      },
      get: async (name: string) => store.get(name)!,
    };
    return { store, client: client as unknown as ResourceClient<ControllerRevision> };
  }
  const make = () => newControllerRevision({ owner, ownerKind: { apiVersion: 'apps/v1', kind: 'StatefulSet' }, data: { v: 1 }, revision: 1, collisionCount: 0 });
  test('creates with the given collision count', async () => {
    const { client } = fakeClient([]);
    const res = await new RealControllerRevisionControl(client).create('u1', make(), 0);
    assert.equal(res.collisionCount, 0);
    assert.equal(res.revision.metadata.name, make().metadata.name);
  });
  test('an equal revision of ours under the name is reused', async () => {
    const mine = make();
    const { client, store } = fakeClient([mine]);
    const res = await new RealControllerRevisionControl(client).create('u1', make(), 0);
    assert.equal(res.revision, mine);
    assert.equal(store.size, 1);
  });
  test('a different revision under the name bumps the collision count', async () => {
    const squatter = { ...make(), data: { other: true } };
    const { client } = fakeClient([squatter]);
    const res = await new RealControllerRevisionControl(client).create('u1', make(), 0);
    assert.equal(res.collisionCount, 1);
    assert.equal(res.revision.metadata.name, `web-${hashRevisionData({ v: 1 }, 1)}`);
    assert.equal(res.revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL], hashRevisionData({ v: 1 }, 1));
  });
});
