import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import type { ContainerStatus, Image } from '../runtime/interface.js';
import { IMAGE_GC_PERIOD_MS, collectImagesOnce, runImageGC } from './gc-loop.js';
import type { GarbageCollectOptions } from './image-service.js';

const container = (image: string) => ({ image }) as ContainerStatus;
const images: Record<string, Image> = {
  'busybox:1': { id: 'sha256:aaa', repoTags: ['busybox:1'], repoDigests: [], size: 1 },
  'sha256:bbb': { id: 'sha256:bbb', repoTags: [], repoDigests: [], size: 1 },
};

function fakes(containers: ContainerStatus[]) {
  const calls: GarbageCollectOptions[] = [];
  return {
    calls,
    runtime: { listContainers: async () => containers },
    images: {
      imageStatus: async ({ image }: { image: string }) => images[image],
      garbageCollect: async (opts: GarbageCollectOptions) => {
        calls.push(opts);
        return { usagePercent: 90, bytesToFree: 0, removed: [], freedBytes: 0 };
      },
    },
  };
}

describe('image garbage collection loop', () => {
  test('images of existing containers are in use, by tag or by id; unknown images are ignored', async () => {
    const f = fakes([container('busybox:1'), container('sha256:bbb'), container('gone:1')]);
    await collectImagesOnce({ ...f, policy: { highThresholdPercent: 85, lowThresholdPercent: 80 } });
    assert.deepEqual([...f.calls[0]!.inUse].sort(), ['sha256:aaa', 'sha256:bbb']);
    assert.equal(f.calls[0]!.highThresholdPercent, 85);
  });

  test('runs once per period until stopped', async () => {
    const clock = new FakeClock();
    const f = fakes([]);
    const ac = new AbortController();
    const done = runImageGC({ ...f, clock, logger: silentLogger, signal: ac.signal });
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    clock.step(IMAGE_GC_PERIOD_MS - 1);
    await settle();
    assert.equal(f.calls.length, 0);
    clock.step(1);
    await settle();
    assert.equal(f.calls.length, 1);
    clock.step(IMAGE_GC_PERIOD_MS);
    await settle();
    assert.equal(f.calls.length, 2);
    ac.abort();
    await done;
  });
});
