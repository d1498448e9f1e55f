import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../machinery/meta/types.js';
import { isNotFound } from '../../machinery/errors/index.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import { TrackedWriter, WriteTracker } from './write-tracker.js';

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

  test('a tracked writer remembers its writes; deleting what is already gone counts as deleted', async () => {
    const gone = new StatusError(404, 'NotFound', 'configmaps "s2" not found');
    assert.ok(isNotFound(gone));
    const w = new TrackedWriter<KubeObject>({
      create: async (_ns, o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '7' } }),
      update: async (_ns, o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '8' } }),
      delete: async (_ns, name) => {
        if (name === 's2') throw gone;
        if (name === 'bad') throw new Error('boom');
      },
    });
    await w.create('k', 'ns', obj('s1', ''));
    assert.equal(w.caughtUp('k', [obj('s1', '6')]), false);
    assert.equal(w.caughtUp('k', [obj('s1', '7')]), true);
    await w.delete('k', 'ns', 's2');
    assert.equal(w.caughtUp('k', [obj('s2', '1')]), false);
    assert.equal(w.caughtUp('k', []), true);
    await assert.rejects(w.delete('k', 'ns', 'bad'), /boom/);
    // A failed write is not awaited.
    assert.equal(w.caughtUp('k', []), true);
  });
});
