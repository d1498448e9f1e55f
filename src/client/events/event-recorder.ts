/**
 * Records core/v1 Events about objects. Repeats of the same event (same
 * object, type, reason and message) within ten minutes bump `count` and
 * `lastTimestamp` on the existing Event with a merge patch instead of creating
 * a new one, as upstream's event correlator does. Recording never throws:
 * events are best-effort, failures go to `onError`.
 */
import { type Clock, rfc3339 } from '../../machinery/clock.js';
import { isNotFound } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { ResourceClient } from '../rest/resource-client.js';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  eventTime?: string | null;
  count: number;
}

export interface EventRecorderOptions {
  /** Client for core/v1 events; rebound to each event's namespace. */
  events: ResourceClient<CoreEvent>;
  component: string;
  host?: string;
  clock: Clock;
  /** Window in which repeats are aggregated (default ten minutes). */
  aggregationWindowMs?: number;
  onError?: (err: unknown) => void;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  lastAt: number;
}

const MAX_TRACKED = 4096;

export class EventRecorder {
  /** Distinguishes events created in the same millisecond (upstream uses nanoseconds). */
  private sequence = 0;
  private readonly seen = new Map<string, Seen>();
  private readonly windowMs: number;

  constructor(private readonly opts: EventRecorderOptions) {
    this.windowMs = opts.aggregationWindowMs ?? 10 * 60_000;
  }

  /** Records an event about `obj`; resolves once it is written (or failed). */
  async event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ref = referenceOf(obj);
    const namespace = ref.namespace || 'default';
    const key = [ref.kind, namespace, ref.name, ref.uid, type, reason, message].join('\u0000');
    const now = this.opts.clock.now();
    const prev = this.seen.get(key);
    const client = this.opts.events.inNamespace(namespace);
    try {
      if (prev && now - prev.lastAt < this.windowMs) {
        const count = prev.count + 1;
        try {
          await client.patch(prev.name, 'merge', { count, lastTimestamp: rfc3339(now) });
          this.remember(key, { ...prev, count, lastAt: now });
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The Event was deleted (or expired): start a new one.
        }
      }
      const created = await client.create(this.build(ref, namespace, type, reason, message, now));
      this.remember(key, { namespace, name: created.metadata.name!, count: 1, lastAt: now });
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private build(ref: ObjectReference, namespace: string, type: EventType, reason: string, message: string, now: number): CoreEvent {
    const stamp = rfc3339(now);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      // Upstream names events <object>.<hex nanoseconds>; unique enough per object.
      metadata: { name: `${ref.name}.${(BigInt(now) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: this.opts.host ? { component: this.opts.component, host: this.opts.host } : { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      eventTime: null,
      count: 1,
    };
  }

  private remember(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    // Oldest first in insertion order: drop the least recently used entries.
    while (this.seen.size > MAX_TRACKED) this.seen.delete(this.seen.keys().next().value!);
  }
}

export function referenceOf(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

