import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformer } from '../../client/informers/shared-informer.js';
import type { ListerWatcher } from '../../client/informers/lister-watcher.js';
import { FakeClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/index.js';
import { silentLogger } from '../../machinery/log.js';
import type { Job } from '../job/types.js';
import { TTLAfterFinishedController, ttlState } from './controller.js';

const idle: ListerWatcher<never> = {
  list: async () => ({ metadata: {}, items: [] }),
  // eslint-disable-next-line require-yield
  watch: async function* () {
    return;
  },
};

const NOW = Date.parse('2025-01-01T00:01:00Z');

function job(opts: { ttl?: number; finished?: string; type?: string; rv?: string } = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'ns', uid: 'u', resourceVersion: opts.rv ?? '7' },
    spec: opts.ttl === undefined ? {} : { ttlSecondsAfterFinished: opts.ttl },
    status: opts.finished ? { conditions: [{ type: opts.type ?? 'Complete', status: 'True', lastTransitionTime: opts.finished }] } : {},
  };
}

describe('ttlState', () => {
  const cases: Array<[string, Job, ReturnType<typeof ttlState>]> = [
    ['no ttl', job({ finished: '2025-01-01T00:00:00Z' }), { kind: 'none' }],
    ['not finished', job({ ttl: 0 }), { kind: 'none' }],
    ['ttl 0 expires at once', job({ ttl: 0, finished: '2025-01-01T00:01:00Z' }), { kind: 'expired' }],
    ['failed jobs too', job({ ttl: 30, finished: '2025-01-01T00:00:00Z', type: 'Failed' }), { kind: 'expired' }],
    ['waits for the rest', job({ ttl: 100, finished: '2025-01-01T00:00:00Z' }), { kind: 'wait', remainingMs: 40_000 }],
    ['finished in the future waits', job({ ttl: 0, finished: '2025-01-01T00:02:00Z' }), { kind: 'wait', remainingMs: 60_000 }],
  ];
  for (const [name, j, want] of cases) test(name, () => assert.deepEqual(ttlState(j, NOW), want));
});

describe('TTL-after-finished sync', () => {
  function setup(cached: Job, server: Job | undefined) {
    const clock = new FakeClock(NOW);
    const informer = new SharedInformer<Job>({ listerWatcher: idle, clock, freeze: true });
    informer.replace([cached], '1');
    const deletes: { name: string; rv?: string }[] = [];
    const c = new TTLAfterFinishedController({
      jobInformer: informer,
      control: {
        getJob: async () => {
          if (!server) throw new StatusError(404, 'NotFound', 'jobs.batch "j" not found');
          return server;
        },
        deleteJob: async (_ns, name, rv) => void deletes.push({ name, rv }),
      },
      clock,
      logger: silentLogger,
    });
    return { clock, c, deletes };
  }
  test('an expired Job is deleted with the fresh resourceVersion as precondition', async () => {
    const f = setup(job({ ttl: 10, finished: '2025-01-01T00:00:00Z' }), job({ ttl: 10, finished: '2025-01-01T00:00:00Z', rv: '9' }));
    await f.c.sync('ns/j');
    assert.deepEqual(f.deletes, [{ name: 'j', rv: '9' }]);
  });
  test('a Job not yet due is requeued for the time left, then deleted', async () => {
    const j = job({ ttl: 90, finished: '2025-01-01T00:00:00Z' });
    const f = setup(j, j);
    // The informer's add handler queued it; take it as a worker would.
    assert.deepEqual(await f.c.queue.get(), { shutdown: false, key: 'ns/j' });
    f.c.queue.done('ns/j');
    await f.c.sync('ns/j');
    assert.deepEqual(f.deletes, []);
    assert.equal(f.c.queue.len(), 0);
    f.clock.step(29_999);
    assert.equal(f.c.queue.len(), 0);
    f.clock.step(1);
    assert.equal(f.c.queue.len(), 1);
    await f.c.sync('ns/j');
    assert.equal(f.deletes.length, 1);
  });
  test('a TTL raised on the server wins over a stale cache', async () => {
    const f = setup(job({ ttl: 0, finished: '2025-01-01T00:00:00Z' }), job({ ttl: 3600, finished: '2025-01-01T00:00:00Z' }));
    await f.c.sync('ns/j');
    assert.deepEqual(f.deletes, []);
  });
  test('a Job already gone is fine', async () => {
    const f = setup(job({ ttl: 0, finished: '2025-01-01T00:00:00Z' }), undefined);
    await f.c.sync('ns/j');
    assert.deepEqual(f.deletes, []);
  });
});
