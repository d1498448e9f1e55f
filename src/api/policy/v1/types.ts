/**
 * policy/v1 definitions: PodDisruptionBudget and Eviction (the payload of
 * the pods/eviction subresource).
 */
import { def, t, type Static } from '../../schema/dsl.js';
import { Condition, DeleteOptions, IntOrString, LabelSelector, ObjectMeta, Time } from '../../meta/v1.js';

const P = 'io.k8s.api.policy.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: 'policy', version: 'v1', kind }] });

const apiVersion = t.string({ description: 'The versioned schema of this representation of an object.' });
const kindField = t.string({ description: 'The REST resource this object represents, in CamelCase.' });

export const PodDisruptionBudgetSpec = def(
  P + 'PodDisruptionBudgetSpec',
  t.object(
    {
      maxUnavailable: t.ref(IntOrString, { description: 'An eviction is allowed if at most this many selected pods (or this percentage) are unavailable after it.' }),
      minAvailable: t.ref(IntOrString, { description: 'An eviction is allowed if at least this many selected pods (or this percentage) stay available after it.' }),
      // Replaced whole by strategic merge patch, as upstream publishes it.
      selector: t.raw<Static<typeof LabelSelector>>({
        allOf: [LabelSelector.schema],
        'x-kubernetes-patch-strategy': 'replace',
        description: 'Label query over the pods whose evictions the budget governs; an empty selector selects every pod in the namespace.',
      }),
      unhealthyPodEvictionPolicy: t.enum(['AlwaysAllow', 'IfHealthyBudget'], { description: 'When running but not ready pods may be evicted: IfHealthyBudget (the default behaviour) or AlwaysAllow.' }),
    },
    { description: 'The desired behaviour of a PodDisruptionBudget.' },
  ),
);

export const PodDisruptionBudgetStatus = def(
  P + 'PodDisruptionBudgetStatus',
  t.object(
    {
      conditions: t.array(t.ref(Condition), {
        listType: 'map',
        mapKeys: ['type'],
        mergeKey: 'type',
        patchStrategy: 'merge',
        description: 'The budget state; DisruptionAllowed tells whether evictions may proceed.',
      }),
      currentHealthy: t.int32({ description: 'Current number of healthy pods.' }),
      desiredHealthy: t.int32({ description: 'Minimum number of healthy pods the budget requires.' }),
      disruptedPods: t.map(t.ref(Time), { description: 'Pods whose eviction was accepted but not yet observed, with the time it was accepted.' }),
      disruptionsAllowed: t.int32({ description: 'Number of pod disruptions currently allowed.' }),
      expectedPods: t.int32({ description: 'Total number of pods counted by this budget.' }),
      observedGeneration: t.int64({ description: 'The most recent generation observed when updating this status.' }),
    },
    { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'], description: 'The observed state of a PodDisruptionBudget.' },
  ),
);

export const PodDisruptionBudget = def(
  P + 'PodDisruptionBudget',
  t.object({
    apiVersion,
    kind: kindField,
    metadata: t.ref(ObjectMeta, { description: "Standard object's metadata." }),
    spec: t.ref(PodDisruptionBudgetSpec, { description: 'Desired behaviour of the budget.' }),
    status: t.ref(PodDisruptionBudgetStatus, { description: 'Most recently observed status of the budget.' }),
  }, { description: 'The most disruption a collection of pods may suffer.' }),
  gvk('PodDisruptionBudget'),
);

export const Eviction = def(
  P + 'Eviction',
  t.object({
    apiVersion,
    deleteOptions: t.ref(DeleteOptions, { description: 'Options for the deletion the eviction performs.' }),
    kind: kindField,
    metadata: t.ref(ObjectMeta, { description: 'Names the pod to evict.' }),
  }, { description: 'Evicts a pod, subject to its disruption budgets; posted to the pods/eviction subresource.' }),
  gvk('Eviction'),
);

export type PodDisruptionBudgetSpecT = Static<typeof PodDisruptionBudgetSpec>;
export type PodDisruptionBudgetStatusT = Static<typeof PodDisruptionBudgetStatus>;
export type PodDisruptionBudgetT = Static<typeof PodDisruptionBudget>;
export type EvictionT = Static<typeof Eviction>;

export const policyV1Definitions = [PodDisruptionBudgetSpec, PodDisruptionBudgetStatus, PodDisruptionBudget, Eviction] as const;
