/**
 * Nodes: unlike most resources, a Node may be created with its status (the
 * node agent registers itself with capacity and conditions in one write), as
 * upstream's node strategy allows.
 */
import type { ResourceType } from '../../../api/scheme.js';
import { type Strategy, defaultStrategy } from '../strategy.js';

export function nodeStrategy(rt: ResourceType): Strategy {
  const base = defaultStrategy(rt);
  return {
    ...base,
    prepareForCreate(ctx, obj) {
      const status = obj.status;
      base.prepareForCreate(ctx, obj);
      obj.status = status ?? {};
    },
  };
}
