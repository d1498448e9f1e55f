/**
 * The resource usage a simulated pod reports, scripted by annotations, for
 * the resource metrics API. Absent or malformed annotations count as zero.
 */
import { tryParseQuantity } from '../machinery/quantity.js';
import { ANNOTATION_CPU_USAGE, ANNOTATION_MEMORY_USAGE } from './stages.js';

export interface PodUsage {
  /** CPU in millicores. */
  cpuMilli: number;
  memoryBytes: number;
}

export function usage(pod: { metadata: { annotations?: Record<string, string> } }): PodUsage {
  const ann = pod.metadata.annotations ?? {};
  const read = (key: string, milli: boolean): number => {
    const raw = ann[key];
    if (raw === undefined) return 0;
    const q = tryParseQuantity(raw);
    if (!q.ok) return 0;
    return Math.max(0, milli ? q.quantity.milliValue() : q.quantity.value());
  };
  return { cpuMilli: read(ANNOTATION_CPU_USAGE, true), memoryBytes: read(ANNOTATION_MEMORY_USAGE, false) };
}
