/**
 * Read access to an informer's cache: list by label selector (optionally in
 * one namespace) and get by name. Results are the cached objects themselves:
 * clone before modifying.
 */
import { type Selector, parseSelector } from '../../machinery/labels/selector.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { NAMESPACE_INDEX, type Indexer } from './store.js';

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** All objects matching `selector` (everything when omitted). */
  list(selector?: Selector | string): T[] {
    return filter(this.indexer.list(), selector);
  }

  /** Objects in one namespace; uses the namespace index when the indexer has one. */
  listInNamespace(namespace: string, selector?: Selector | string): T[] {
    let objs: T[];
    try {
      objs = this.indexer.byIndex(NAMESPACE_INDEX, namespace);
    } catch {
      objs = this.indexer.list().filter((o) => (o.metadata.namespace ?? '') === namespace);
    }
    return filter(objs, selector);
  }

  /** The object, or undefined when the cache does not hold it (an expected outcome, not an error). */
  get(namespace: string, name: string): T | undefined {
    return this.indexer.getByKey(namespace ? `${namespace}/${name}` : name);
  }
}

function filter<T extends KubeObject>(objs: T[], selector: Selector | string | undefined): T[] {
  if (selector === undefined || selector === '') return objs;
  const sel = typeof selector === 'string' ? parseSelector(selector) : selector;
  return objs.filter((o) => sel.matches(o.metadata.labels ?? {}));
}
