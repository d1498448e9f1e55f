import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../machinery/meta/types.js';
import { WriteTracker } from './write-tracker.js';

const obj = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv } });

describe('WriteTracker', () => {
  test('nothing written: caught up', () => {
    assert.equal(new WriteTracker().caughtUp('ns/a', []), true);
  });

  test('a write is awaited until the cache shows it at that revision or later', () => {
    const t = new WriteTracker();
    t.noteWrite('ns/a', obj('s1', '10'));
    assert.equal(t.caughtUp('ns/a', []), false);
    assert.equal(t.caughtUp('ns/a', [obj('s1', '9')]), false);
    assert.equal(t.caughtUp('ns/b', []), true);
    assert.equal(t.caughtUp('ns/a', [obj('s1', '11')]), true);
    // Once caught up the writes are forgotten.
    assert.equal(t.caughtUp('ns/a', []), true);
  });

  test('a deletion is awaited until the object is gone from the cache', () => {
    const t = new WriteTracker();
    t.noteDeleted('ns/a', 's1');
    assert.equal(t.caughtUp('ns/a', [obj('s1', '5')]), false);
    assert.equal(t.caughtUp('ns/a', []), true);
  });

  test('opaque resourceVersions compare by equality', () => {
    const t = new WriteTracker();
    t.noteWrite('k', obj('s1', 'abc'));
    assert.equal(t.caughtUp('k', [obj('s1', 'abd')]), false);
    assert.equal(t.caughtUp('k', [obj('s1', 'abc')]), true);
  });
});
