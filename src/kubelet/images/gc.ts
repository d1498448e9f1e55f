/**
 * Image garbage collection policy, as the kubelet's image GC manager: when
 * the image filesystem's usage reaches highThresholdPercent, free enough to
 * get back down to lowThresholdPercent by removing images no container
 * uses, least recently used first.
 */
export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
}

export interface FsUsage {
  capacityBytes: number;
  availableBytes: number;
}

export interface GCCandidate {
  id: string;
  /** Bytes removing it frees (estimate). */
  bytes: number;
  lastUsed: number;
}

export interface ImageGCPlan {
  usagePercent: number;
  bytesToFree: number;
  /** Image ids to remove, in order. */
  remove: string[];
}

/** Refuses a policy the kubelet would refuse, with its messages. */
export function validateGCPolicy(p: ImageGCPolicy): string | undefined {
  if (p.highThresholdPercent < 0 || p.highThresholdPercent > 100) return `invalid HighThresholdPercent ${p.highThresholdPercent}, must be in range [0-100]`;
  if (p.lowThresholdPercent < 0 || p.lowThresholdPercent > 100) return `invalid LowThresholdPercent ${p.lowThresholdPercent}, must be in range [0-100]`;
  if (p.lowThresholdPercent > p.highThresholdPercent) return `LowThresholdPercent ${p.lowThresholdPercent} can not be higher than HighThresholdPercent ${p.highThresholdPercent}`;
  return undefined;
}

export function planImageGC(images: readonly GCCandidate[], fs: FsUsage, policy: ImageGCPolicy, inUse: ReadonlySet<string>): ImageGCPlan {
  const usagePercent = fs.capacityBytes > 0 ? 100 - Math.floor((fs.availableBytes * 100) / fs.capacityBytes) : 0;
  if (usagePercent < policy.highThresholdPercent) return { usagePercent, bytesToFree: 0, remove: [] };
  const bytesToFree = Math.max(0, Math.ceil((fs.capacityBytes * (100 - policy.lowThresholdPercent)) / 100) - fs.availableBytes);
  const remove: string[] = [];
  let freed = 0;
  const candidates = images.filter((i) => !inUse.has(i.id)).sort((a, b) => a.lastUsed - b.lastUsed || (a.id < b.id ? -1 : 1));
  for (const c of candidates) {
    if (freed >= bytesToFree) break;
    remove.push(c.id);
    freed += c.bytes;
  }
  return { usagePercent, bytesToFree, remove };
}
