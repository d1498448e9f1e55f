import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../machinery/meta/types.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from './keys.js';
import { Lister } from './lister.js';
import { CacheIndexer, NAMESPACE_INDEX, namespaceIndexFunc, nodeNameIndexFunc } from './store.js';

const pod = (ns: string, name: string, opts: { node?: string; labels?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, labels: opts.labels },
  spec: { nodeName: opts.node },
});

describe('keys', () => {
  const cases = [
    { name: 'namespaced', obj: pod('ns', 'a'), key: 'ns/a' },
    { name: 'cluster-scoped', obj: { metadata: { name: 'node1' } }, key: 'node1' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(metaNamespaceKey(c.obj), c.key);
      const { namespace, name } = splitMetaNamespaceKey(c.key);
      assert.equal(name, c.obj.metadata.name);
      assert.equal(namespace, c.obj.metadata.namespace ?? '');
    });
  }
});

describe('CacheIndexer', () => {
  const indexer = () => new CacheIndexer({ indexers: { [NAMESPACE_INDEX]: namespaceIndexFunc, nodeName: nodeNameIndexFunc }, freeze: true });

  test('indexes follow add, update and delete', () => {
    const s = indexer();
    s.add(pod('a', 'p1', { node: 'n1' }));
    s.add(pod('a', 'p2'));
    s.add(pod('b', 'p3', { node: 'n1' }));
    assert.deepEqual(s.indexKeys('nodeName', 'n1').sort(), ['a/p1', 'b/p3']);
    assert.deepEqual(s.byIndex(NAMESPACE_INDEX, 'a').map(metaNamespaceKey).sort(), ['a/p1', 'a/p2']);
    s.update(pod('a', 'p2', { node: 'n2' }));
    s.update(pod('a', 'p1', { node: 'n2' }));
    assert.deepEqual(s.indexKeys('nodeName', 'n1'), ['b/p3']);
    assert.deepEqual(s.indexKeys('nodeName', 'n2').sort(), ['a/p1', 'a/p2']);
    s.delete(pod('b', 'p3'));
    assert.deepEqual(s.listIndexFuncValues('nodeName'), ['n2']);
    assert.equal(s.getByKey('b/p3'), undefined);
  });

  test('replace swaps content and indexes', () => {
    const s = indexer();
    s.add(pod('a', 'old', { node: 'n1' }));
    s.replace([pod('c', 'new', { node: 'n3' })]);
    assert.deepEqual(s.listKeys(), ['c/new']);
    assert.deepEqual(s.indexKeys('nodeName', 'n1'), []);
    assert.deepEqual(s.indexKeys('nodeName', 'n3'), ['c/new']);
  });

  test('indexers added later index existing objects; unknown index throws', () => {
    const s = new CacheIndexer();
    s.add(pod('a', 'x'));
    s.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc });
    assert.deepEqual(s.indexKeys(NAMESPACE_INDEX, 'a'), ['a/x']);
    assert.throws(() => s.byIndex('nope', 'a'), /does not exist/);
  });

  test('frozen objects cannot be mutated', () => {
    const s = indexer();
    s.add(pod('a', 'p', { labels: { x: '1' } }));
    const got = s.getByKey('a/p')!;
    assert.throws(() => {
      got.metadata.labels!.x = '2';
    }, TypeError);
    assert.throws(() => {
      (got.spec as { nodeName?: string }).nodeName = 'n';
    }, TypeError);
  });
});

describe('Lister', () => {
  const s = new CacheIndexer({ indexers: { [NAMESPACE_INDEX]: namespaceIndexFunc } });
  s.add(pod('a', 'web1', { labels: { app: 'web' } }));
  s.add(pod('a', 'db', { labels: { app: 'db' } }));
  s.add(pod('b', 'web2', { labels: { app: 'web', tier: 'front' } }));
  const lister = new Lister(s);
  const cases = [
    { name: 'all', ns: undefined, sel: undefined, want: ['a/db', 'a/web1', 'b/web2'] },
    { name: 'equality selector', ns: undefined, sel: 'app=web', want: ['a/web1', 'b/web2'] },
    { name: 'in namespace', ns: 'a', sel: undefined, want: ['a/db', 'a/web1'] },
    { name: 'set selector in namespace', ns: 'b', sel: 'tier in (front)', want: ['b/web2'] },
    { name: 'exists selector', ns: undefined, sel: '!tier', want: ['a/db', 'a/web1'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = c.ns === undefined ? lister.list(c.sel) : lister.listInNamespace(c.ns, c.sel);
      assert.deepEqual(got.map(metaNamespaceKey).sort(), c.want);
    });
  }
  test('get by namespace/name; missing is undefined', () => {
    assert.equal(lister.get('a', 'db')?.metadata.name, 'db');
    assert.equal(lister.get('a', 'nope'), undefined);
  });
});
