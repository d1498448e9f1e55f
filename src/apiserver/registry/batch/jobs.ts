/**
 * Jobs: unless the user chose a selector (manualSelector), the server
 * generates one on create that matches the job's uid, and labels the pod
 * template to match, as upstream's job strategy does.
 */
import type { ResourceType } from '../../../api/scheme.js';
import { generateJobSelector } from '../../../api/batch/v1/defaults.js';
import type { JobT } from '../../../api/batch/v1/types.js';
import { type Strategy, defaultStrategy } from '../strategy.js';

export function jobStrategy(rt: ResourceType): Strategy {
  const base = defaultStrategy(rt);
  return {
    ...base,
    prepareForCreate(ctx, obj) {
      base.prepareForCreate(ctx, obj);
      generateJobSelector(obj as unknown as JobT);
    },
  };
}
