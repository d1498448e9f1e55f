/**
 * Figures over the cluster's pods that scheduling plugins keep from cycle to
 * cycle. Each cycle walking every node (or every pod) to recount them made
 * the scheduler's time grow with the cluster; with the scheduler cache's
 * change feed a plugin applies only what changed since its last cycle, and
 * starts over when the node labels change or the feed no longer reaches back.
 */
import type { Selector } from '../../../machinery/labels/selector.js';
import type { PodChange, Snapshot } from '../../framework/snapshot.js';

/** A selector's identity: the selector that matches nothing is not the empty one. */
export function selectorKey(s: Selector): string {
  return s.isNothing() ? '\u2205' : s.toString();
}

/**
 * Figures derived from the nodes' names and labels alone, by key: kept while the snapshots' node
 * labels generation stays the same (or, for a snapshot without one, for that snapshot).
 */
export class NodeLabelFigures<T> {
  private generation: number | undefined = -1;
  private snapshot: Snapshot | undefined;
  private byKey = new Map<string, T>();

  of(snapshot: Snapshot, key: string, build: () => T): T {
    const gen = snapshot.nodeLabelsGeneration;
    if (gen === undefined ? this.snapshot !== snapshot : this.generation !== gen) {
      this.byKey = new Map();
      this.generation = gen;
      this.snapshot = gen === undefined ? snapshot : undefined;
    }
    let v = this.byKey.get(key);
    if (v === undefined) this.byKey.set(key, (v = build()));
    return v;
  }
}

/** Node label values by key. */
export class NodeValues {
  private readonly figures = new NodeLabelFigures<ReadonlyMap<string, string>>();

  /** The value of `key` on each node of the snapshot that has it, by node name. */
  of(snapshot: Snapshot, key: string): ReadonlyMap<string, string> {
    return this.figures.of(snapshot, key, () => {
      const m = new Map<string, string>();
      for (const ni of snapshot.list()) {
        const v = ni.labels[key];
        if (v !== undefined) m.set(ni.name, v);
      }
      return m;
    });
  }
}

/** Where a kept figure stands in the feed, and when it was last used (the least recent are dropped). */
export interface KeptEntry<T> {
  generation: number;
  position: number;
  value: T;
  used: number;
}

/** Figures by key with the feed position they are current at; at most `limit` are kept. */
export class KeptFigures<T> {
  private readonly entries = new Map<string, KeptEntry<T>>();
  private uses = 0;

  constructor(private readonly limit: number) {}

  /**
   * The figure for `key` brought up to date: `apply` takes the changes since it was last current,
   * `recount` starts over (no feed, other node labels, or changes no longer kept).
   */
  get(snapshot: Snapshot, key: string, ops: { recount: () => T; apply: (value: T, changes: readonly PodChange[]) => void }): T {
    const feed = snapshot.podChanges;
    const gen = snapshot.nodeLabelsGeneration;
    if (!feed || gen === undefined) return ops.recount();
    this.uses++;
    const kept = this.entries.get(key);
    const changes = kept && kept.generation === gen ? feed.since(kept.position) : undefined;
    if (kept && changes) {
      ops.apply(kept.value, changes);
      kept.position = feed.position;
      kept.used = this.uses;
      return kept.value;
    }
    const value = ops.recount();
    this.entries.set(key, { generation: gen, position: feed.position, value, used: this.uses });
    if (this.entries.size > this.limit) {
      const oldest = [...this.entries.entries()].sort((a, b) => a[1].used - b[1].used).slice(0, this.entries.size - this.limit);
      for (const [k] of oldest) this.entries.delete(k);
    }
    return value;
  }
}
