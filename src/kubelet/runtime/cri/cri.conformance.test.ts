import { runtimeConformance } from '../conformance.js';
import * as testImages from '../../../testing/test-images.js';
import { containerdSkipReason, startContainerdFixture } from './containerd-fixture.js';
import { createCriRuntime } from './cri-runtime.js';

runtimeConformance('cri (containerd)', async () => {
  const fx = await startContainerdFixture(testImages);
  const runtimes = [createCriRuntime({ endpoint: fx.endpoint })];
  try {
    const image = await runtimes[0]!.images.pullImage({ image: fx.busyboxImage });
    return {
      runtime: runtimes[0]!,
      image,
      // containerd holds the state; a new client is what an agent restart looks like to it.
      reopen: async () => {
        const next = createCriRuntime({ endpoint: fx.endpoint });
        runtimes.push(next);
        return next;
      },
      cleanup: async () => {
        for (const r of runtimes) await r.dispose();
        await fx.stop();
      },
    };
  } catch (err) {
    await runtimes[0]!.dispose();
    await fx.stop();
    throw err;
  }
}, { skip: containerdSkipReason(testImages) });
