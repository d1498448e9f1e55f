import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from '../../client/cache/keys.js';
import type { DeletedFinalStateUnknown } from '../../client/informers/shared-informer.js';
import { type LabelSelector, labelSelectorAsSelector } from '../../machinery/labels/selector.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { availabilityRecheckMs, controllerRefEventHandler } from './controller-ref-handler.js';
import type { Pod } from './pods.js';

interface Owner extends KubeObject {
  spec: { selector?: LabelSelector };
}

const owner = (name: string, selector: LabelSelector | undefined, uid = `uid-${name}`): Owner => deepFreeze({ metadata: { name, namespace: 'ns', uid }, spec: { selector } });

const owners = [owner('web', { matchLabels: { app: 'web' } }), owner('also-web', { matchLabels: { app: 'web' } }), owner('db', { matchLabels: { app: 'db' } }), owner('empty', {}), owner('bad', { matchExpressions: [{ key: 'k', operator: 'Bogus' }] })];

function pod(name: string, o: { labels?: Record<string, string>; owner?: string; ownerUID?: string; kind?: string; rv?: string; deleting?: boolean; ready?: boolean } = {}): Pod {
  return deepFreeze({
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: o.rv ?? '1',
      labels: o.labels ?? { app: 'web' },
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.kind ?? 'Owner', name: o.owner, uid: o.ownerUID ?? `uid-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    status: { conditions: o.ready ? [{ type: 'Ready', status: 'True' }] : [] },
  });
}

function harness(opts: { mayAdopt?: (o: Owner, p: Pod) => boolean } = {}) {
  const log: string[] = [];
  const handler = controllerRefEventHandler<Owner, Pod>({
    ownerKind: 'Owner',
    owners: {
      get: (ns, name) => owners.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
      listInNamespace: (ns) => owners.filter((o) => o.metadata.namespace === ns),
    },
    selector: (o) => labelSelectorAsSelector(o.spec.selector),
    mayAdopt: opts.mayAdopt,
    enqueue: (o) => log.push(`enqueue ${o.metadata.name}`),
    creationObserved: (o, p) => log.push(`created ${o.metadata.name}/${p.metadata.name}`),
    deletionObserved: (o, p) => log.push(`deleted ${o.metadata.name}/${p.metadata.name}`),
    updated: (o) => log.push(`updated ${o.metadata.name}`),
  });
  return { log, handler };
}

describe('controllerRefEventHandler', () => {
  const cases: { name: string; run: (h: ReturnType<typeof harness>['handler']) => void; want: string[] }[] = [
    { name: 'add: an owned object is a creation of its owner', run: (h) => h.onAdd!(pod('p', { owner: 'web' }), false), want: ['created web/p', 'enqueue web'] },
    { name: 'add: an owner of another kind is not ours', run: (h) => h.onAdd!(pod('p', { owner: 'web', kind: 'Job' }), false), want: [] },
    { name: 'add: a controllerRef to a recreated owner (other uid) is stale', run: (h) => h.onAdd!(pod('p', { owner: 'web', ownerUID: 'old' }), false), want: [] },
    { name: 'add: an orphan wakes every owner that selects it (not empty or invalid selectors)', run: (h) => h.onAdd!(pod('p'), false), want: ['enqueue web', 'enqueue also-web'] },
    { name: 'add: an object already being deleted is a deletion', run: (h) => h.onAdd!(pod('p', { owner: 'web', deleting: true }), false), want: ['deleted web/p', 'enqueue web'] },
    { name: 'update: a resync does nothing', run: (h) => h.onUpdate!(pod('p', { owner: 'web' }), pod('p', { owner: 'web' })), want: [] },
    { name: 'update: an owned object wakes its owner', run: (h) => h.onUpdate!(pod('p', { owner: 'web' }), pod('p', { owner: 'web', rv: '2' })), want: ['enqueue web', 'updated web'] },
    { name: 'update: a moved controllerRef wakes old and new owner', run: (h) => h.onUpdate!(pod('p', { owner: 'db' }), pod('p', { owner: 'web', rv: '2' })), want: ['enqueue db', 'enqueue web', 'updated web'] },
    { name: 'update: released, the orphan is offered to adopters', run: (h) => h.onUpdate!(pod('p', { owner: 'db', labels: { app: 'web' } }), pod('p', { rv: '2' })), want: ['enqueue db', 'enqueue web', 'enqueue also-web'] },
    { name: 'update: an orphan whose labels changed is offered again', run: (h) => h.onUpdate!(pod('p', { labels: { app: 'x' } }), pod('p', { labels: { app: 'db' }, rv: '2' })), want: ['enqueue db'] },
    { name: 'update: an orphan that did not change in labels or ref wakes nobody', run: (h) => h.onUpdate!(pod('p'), pod('p', { rv: '2' })), want: [] },
    { name: 'update: deletion starts, observed at once, under the old labels too', run: (h) => h.onUpdate!(pod('p', { owner: 'web', labels: { app: 'old' } }), pod('p', { owner: 'web', rv: '2', deleting: true })), want: ['deleted web/p', 'enqueue web', 'deleted web/p', 'enqueue web'] },
    { name: 'delete: an owned object', run: (h) => h.onDelete!(pod('p', { owner: 'web' })), want: ['deleted web/p', 'enqueue web'] },
    { name: 'delete: a tombstone is unwrapped', run: (h) => h.onDelete!({ kind: 'DeletedFinalStateUnknown', key: 'ns/p', obj: pod('p', { owner: 'db' }) } as DeletedFinalStateUnknown<Pod>), want: ['deleted db/p', 'enqueue db'] },
    { name: 'delete: nobody cares about an orphan', run: (h) => h.onDelete!(pod('p')), want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { log, handler } = harness();
      c.run(handler);
      assert.deepEqual(log, c.want);
    });
  }

  test('mayAdopt narrows who is offered an orphan', () => {
    const { log, handler } = harness({ mayAdopt: (o, p) => p.metadata.name!.startsWith(`${o.metadata.name}-`) });
    handler.onAdd!(pod('also-web-0'), false);
    assert.deepEqual(log, ['enqueue also-web']);
  });
});

describe('availabilityRecheckMs', () => {
  const cases: [string, Pod, Pod, number, number | undefined][] = [
    ['turned ready with minReadySeconds', pod('p'), pod('p', { ready: true }), 10, 11_000],
    ['turned ready without minReadySeconds', pod('p'), pod('p', { ready: true }), 0, undefined],
    ['ready before and after', pod('p', { ready: true }), pod('p', { ready: true }), 10, undefined],
  ];
  for (const [name, old, cur, secs, want] of cases) test(name, () => assert.equal(availabilityRecheckMs(old, cur, secs), want));
});
