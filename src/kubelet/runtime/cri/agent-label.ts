/**
 * Which agent a sandbox or container in a CRI runtime belongs to. One runtime
 * endpoint can serve several clients (another kubelet, a second k8ts agent, a
 * test), so everything the cri runtime creates carries its agent's id, and its
 * lists, the agent's housekeeping and `--cleanup` see only their own.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const LABEL_CRI_AGENT = 'k8ts.io/agent';

/** The id used when the agent names none. */
export const DEFAULT_CRI_AGENT_ID = 'k8ts';

/**
 * An agent's id from its state directory (`<data-dir>/agent`): stable across
 * restarts, distinct per data dir, and derivable by `--cleanup`, which knows
 * nothing else about the agent it cleans up after. A valid label value.
 */
export function criAgentId(rootDir: string): string {
  return `k8ts-${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 16)}`;
}
