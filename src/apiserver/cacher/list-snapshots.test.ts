import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../machinery/clock.js';
import { CachedObject } from './cached-object.js';
import { ListSnapshots, lowerBound } from './list-snapshots.js';

const obj = (key: string) => new CachedObject(key, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: key } }, 1);

test('snapshots are found by prefix and revision', () => {
  const s = new ListSnapshots({ clock: new FakeClock() });
  const items = [obj('/a/1'), obj('/a/2')];
  s.put('/a/', 5, items);
  assert.equal(s.get('/a/', 5), items);
  assert.equal(s.get('/a/', 6), undefined);
  assert.equal(s.get('/b/', 5), undefined);
});

test('only the most recently used snapshots are kept', () => {
  const s = new ListSnapshots({ clock: new FakeClock(), max: 2 });
  s.put('/a/', 1, []);
  s.put('/a/', 2, []);
  s.get('/a/', 1);
  s.put('/a/', 3, []);
  assert.equal(s.size, 2);
  assert.ok(s.get('/a/', 1), 'used last, kept');
  assert.equal(s.get('/a/', 2), undefined, 'least recently used, dropped');
  assert.ok(s.get('/a/', 3));
});

test('a snapshot unused for its time to live is dropped; each use extends it', () => {
  const clock = new FakeClock();
  const s = new ListSnapshots({ clock, ttlMs: 1000 });
  s.put('/a/', 1, []);
  s.put('/a/', 2, []);
  clock.step(600);
  assert.ok(s.get('/a/', 1));
  clock.step(600);
  assert.ok(s.get('/a/', 1), 'used 600 ms ago');
  assert.equal(s.get('/a/', 2), undefined, 'unused for 1200 ms');
});

test('lowerBound finds the first key not below the one asked for', () => {
  const items = ['/a/1', '/a/3', '/a/5'].map(obj);
  assert.deepEqual(['/a/', '/a/1', '/a/2', '/a/5', '/a/6'].map((k) => lowerBound(items, k)), [0, 0, 1, 2, 3]);
  assert.equal(lowerBound([], '/a/'), 0);
});

test('the objects all snapshots reference together are bounded: the least recently used go first', () => {
  const s = new ListSnapshots({ clock: new FakeClock(), maxItems: 5 });
  const three = ['/a/1', '/a/2', '/a/3'].map(obj);
  s.put('/a/', 1, three);
  s.put('/a/', 2, ['/a/1', '/a/2'].map(obj));
  assert.equal(s.size, 2);
  s.put('/a/', 3, ['/a/9'].map(obj));
  assert.equal(s.get('/a/', 1), undefined, 'dropped to stay within 5 objects');
  assert.ok(s.get('/a/', 2) && s.get('/a/', 3));
  s.put('/b/', 4, Array.from({ length: 6 }, (_, i) => obj(`/b/${i}`)));
  assert.equal(s.get('/b/', 4), undefined, 'a snapshot larger than the bound is not kept');
  assert.ok(s.get('/a/', 2), 'and evicts nothing');
});
