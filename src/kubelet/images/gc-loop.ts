/**
 * The agent's image garbage collection, as kubelet's image manager: every
 * period, when the image filesystem is above the high threshold, remove
 * images no container uses, least recently used first, down to the low one.
 */
import type { Clock } from '../../machinery/clock.js';
import type { Logger } from '../../machinery/log.js';
import type { ImageService, RuntimeService } from '../runtime/interface.js';
import type { ImageGCPolicy } from './gc.js';
import type { GarbageCollectOptions, GarbageCollectResult } from './image-service.js';

/** Upstream's imageGCHighThresholdPercent (85) and imageGCLowThresholdPercent (80). */
export const defaultImageGCPolicy: ImageGCPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80 };
/** Upstream's ImageGCPeriod. */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

export interface ImageCollector {
  garbageCollect(opts: GarbageCollectOptions): Promise<GarbageCollectResult>;
}

/** The ids of the images some container (running or not yet removed) was created from. */
export async function imagesInUse(runtime: Pick<RuntimeService, 'listContainers'>, images: Pick<ImageService, 'imageStatus'>): Promise<Set<string>> {
  const inUse = new Set<string>();
  for (const c of await runtime.listContainers()) {
    const img = await images.imageStatus({ image: c.image });
    if (img) inUse.add(img.id);
  }
  return inUse;
}

/** One collection pass; exported for tests. */
export async function collectImagesOnce(o: { runtime: Pick<RuntimeService, 'listContainers'>; images: Pick<ImageService, 'imageStatus'> & ImageCollector; policy: ImageGCPolicy }): Promise<GarbageCollectResult> {
  const inUse = await imagesInUse(o.runtime, o.images);
  return o.images.garbageCollect({ ...o.policy, inUse });
}

export async function runImageGC(o: {
  runtime: Pick<RuntimeService, 'listContainers'>;
  images: Pick<ImageService, 'imageStatus'> & ImageCollector;
  clock: Clock;
  logger: Logger;
  policy?: ImageGCPolicy;
  periodMs?: number;
  signal: AbortSignal;
}): Promise<void> {
  const policy = o.policy ?? defaultImageGCPolicy;
  while (!o.signal.aborted) {
    try {
      await o.clock.sleep(o.periodMs ?? IMAGE_GC_PERIOD_MS, o.signal);
    } catch {
      return;
    }
    try {
      const r = await collectImagesOnce({ runtime: o.runtime, images: o.images, policy });
      if (r.removed.length) o.logger.info('image garbage collection', { removed: r.removed.length, freedBytes: r.freedBytes, usagePercent: r.usagePercent });
    } catch (err) {
      o.logger.warn('image garbage collection failed', { err });
    }
  }
}
