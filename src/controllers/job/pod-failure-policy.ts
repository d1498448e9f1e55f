/**
 * spec.podFailurePolicy: the first rule matching a failed pod decides
 * whether the failure fails the whole Job, fails only its index, counts
 * towards backoffLimit, or is ignored. A pod no rule matches counts.
 */
import type { JobContainerStatus, JobPod } from './job-pod.js';
import type { PodFailurePolicyRule } from './types.js';

export interface PolicyMatch {
  /** The action of the matching rule; undefined when no rule matched. */
  action?: PodFailurePolicyRule['action'];
  /** Whether the failure counts towards backoffLimit. */
  countFailed: boolean;
  /** Set for FailJob: the message the Job's Failed condition carries. */
  failJobMessage?: string;
}

export function matchPodFailurePolicy(policy: { rules: PodFailurePolicyRule[] } | undefined, pod: JobPod): PolicyMatch {
  const rules = policy?.rules ?? [];
  const who = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    let what: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (c) what = `Container ${c.name} for pod ${who} failed with exit code ${c.state!.terminated!.exitCode}`;
    } else if (rule.onPodConditions) {
      const cond = rule.onPodConditions.find((pat) => pod.status?.conditions?.some((c) => c.type === pat.type && c.status === (pat.status || 'True')));
      if (cond) what = `Pod ${who} has condition ${cond.type}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'FailJob':
        return { action: 'FailJob', countFailed: true, failJobMessage: `${what} matching FailJob rule at index ${index}` };
      case 'Ignore':
        return { action: 'Ignore', countFailed: false };
      case 'FailIndex':
        return { action: 'FailIndex', countFailed: true };
      default:
        return { action: 'Count', countFailed: true };
    }
  }
  return { countFailed: true };
}

function matchingContainer(statuses: JobContainerStatus[] | undefined, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): JobContainerStatus | undefined {
  return statuses?.find((c) => {
    const code = c.state?.terminated?.exitCode;
    // Exit code 0 is success and never matches, whatever the operator.
    if (code === undefined || code === 0) return false;
    if (req.containerName && req.containerName !== c.name) return false;
    const listed = req.values.includes(code);
    return req.operator === 'In' ? listed : !listed;
  });
}
