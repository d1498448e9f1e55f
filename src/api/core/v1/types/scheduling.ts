/** Placement constraints: node selectors, affinity, taints and tolerations, topology spread. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { LabelSelector, Time } from '../../../meta/v1.js';
import { CORE, i32, i64, str, strList } from './fields.js';

export const NodeSelectorRequirement = def(
  CORE + 'NodeSelectorRequirement',
  t.object(
    {
      key: str('The label or field key the requirement applies to.'),
      operator: t.enum(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], { description: 'How the key relates to the values.' }),
      values: strList('Values for In and NotIn; one integer for Gt and Lt; empty for Exists and DoesNotExist.'),
    },
    { required: ['key', 'operator'], description: 'A requirement on a node label or field.' },
  ),
);

export const NodeSelectorTerm = def(
  CORE + 'NodeSelectorTerm',
  t.object(
    {
      matchExpressions: t.array(t.ref(NodeSelectorRequirement), { listType: 'atomic', description: 'Requirements on node labels.' }),
      matchFields: t.array(t.ref(NodeSelectorRequirement), { listType: 'atomic', description: 'Requirements on node fields.' }),
    },
    { structType: 'atomic', description: 'Requirements that must all hold; an empty term matches nothing.' },
  ),
);

export const NodeSelector = def(
  CORE + 'NodeSelector',
  t.object(
    { nodeSelectorTerms: t.array(t.ref(NodeSelectorTerm), { listType: 'atomic', description: 'Terms ORed together.' }) },
    { required: ['nodeSelectorTerms'], structType: 'atomic', description: 'A union of node selector terms.' },
  ),
);

export const PreferredSchedulingTerm = def(
  CORE + 'PreferredSchedulingTerm',
  t.object(
    {
      preference: t.ref(NodeSelectorTerm, { description: 'The term a node should match.' }),
      weight: i32('Weight of the preference, 1 to 100.'),
    },
    { required: ['weight', 'preference'], description: 'A weighted node preference.' },
  ),
);

export const NodeAffinity = def(
  CORE + 'NodeAffinity',
  t.object({
    preferredDuringSchedulingIgnoredDuringExecution: t.array(t.ref(PreferredSchedulingTerm), { listType: 'atomic', description: 'Preferences the scheduler favours.' }),
    requiredDuringSchedulingIgnoredDuringExecution: t.ref(NodeSelector, { description: 'Requirements a node must meet at scheduling time.' }),
  }, { description: 'Node affinity scheduling rules.' }),
);

export const PodAffinityTerm = def(
  CORE + 'PodAffinityTerm',
  t.object(
    {
      labelSelector: t.ref(LabelSelector, { description: 'Selects the pods this term is about.' }),
      matchLabelKeys: strList('Label keys whose values on the incoming pod are added to labelSelector as In requirements.'),
      mismatchLabelKeys: strList('Label keys whose values on the incoming pod are added to labelSelector as NotIn requirements.'),
      namespaceSelector: t.ref(LabelSelector, { description: 'Selects the namespaces the selected pods may be in.' }),
      namespaces: strList('Namespaces the selected pods may be in; the pod namespace when both this and namespaceSelector are empty.'),
      topologyKey: str('Node label key defining the topology domain that must be shared.'),
    },
    { required: ['topologyKey'], description: 'Pods that must (or must not) share a topology domain with this pod.' },
  ),
);

export const WeightedPodAffinityTerm = def(
  CORE + 'WeightedPodAffinityTerm',
  t.object(
    {
      podAffinityTerm: t.ref(PodAffinityTerm, { description: 'The affinity term.' }),
      weight: i32('Weight of the term, 1 to 100.'),
    },
    { required: ['weight', 'podAffinityTerm'], description: 'A weighted pod affinity term.' },
  ),
);

export const PodAffinity = def(
  CORE + 'PodAffinity',
  t.object({
    preferredDuringSchedulingIgnoredDuringExecution: t.array(t.ref(WeightedPodAffinityTerm), { listType: 'atomic', description: 'Co-location preferences.' }),
    requiredDuringSchedulingIgnoredDuringExecution: t.array(t.ref(PodAffinityTerm), { listType: 'atomic', description: 'Co-location requirements.' }),
  }, { description: 'Inter-pod affinity scheduling rules.' }),
);

export const PodAntiAffinity = def(
  CORE + 'PodAntiAffinity',
  t.object({
    preferredDuringSchedulingIgnoredDuringExecution: t.array(t.ref(WeightedPodAffinityTerm), { listType: 'atomic', description: 'Separation preferences.' }),
    requiredDuringSchedulingIgnoredDuringExecution: t.array(t.ref(PodAffinityTerm), { listType: 'atomic', description: 'Separation requirements.' }),
  }, { description: 'Inter-pod anti-affinity scheduling rules.' }),
);

export const Affinity = def(
  CORE + 'Affinity',
  t.object({
    nodeAffinity: t.ref(NodeAffinity, { description: 'Node affinity rules.' }),
    podAffinity: t.ref(PodAffinity, { description: 'Rules placing the pod near other pods.' }),
    podAntiAffinity: t.ref(PodAntiAffinity, { description: 'Rules keeping the pod away from other pods.' }),
  }, { description: 'Affinity scheduling rules.' }),
);

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

export const Toleration = def(
  CORE + 'Toleration',
  t.object({
    effect: t.enum(TAINT_EFFECTS, { description: 'Taint effect to match; empty matches every effect.' }),
    key: str('Taint key to match; empty with Exists matches every taint.'),
    operator: t.enum(['Equal', 'Exists'], { description: 'How key and value are compared; defaults to Equal.' }),
    tolerationSeconds: i64('For NoExecute, how long the pod stays bound after the taint appears.'),
    value: str('Taint value to match for Equal.'),
  }, { description: 'Allows the pod onto nodes with matching taints.' }),
);

export const Taint = def(
  CORE + 'Taint',
  t.object(
    {
      effect: t.enum(TAINT_EFFECTS, { description: 'What happens to pods that do not tolerate the taint.' }),
      key: str('Taint key.'),
      timeAdded: t.ref(Time, { description: 'When a NoExecute taint was added.' }),
      value: str('Taint value.'),
    },
    { required: ['key', 'effect'], description: 'A mark on a node that repels pods without a matching toleration.' },
  ),
);

export const TopologySpreadConstraint = def(
  CORE + 'TopologySpreadConstraint',
  t.object(
    {
      labelSelector: t.ref(LabelSelector, { description: 'Selects the pods counted in each domain.' }),
      matchLabelKeys: strList('Label keys whose values on the incoming pod narrow the selected pods.'),
      maxSkew: i32('Largest allowed difference in matching pods between two domains.'),
      minDomains: i32('Minimum number of eligible domains, for DoNotSchedule.'),
      nodeAffinityPolicy: t.enum(['Honor', 'Ignore'], { description: 'Whether node affinity restricts the domains counted; defaults to Honor.' }),
      nodeTaintsPolicy: t.enum(['Honor', 'Ignore'], { description: 'Whether node taints restrict the domains counted; defaults to Ignore.' }),
      topologyKey: str('Node label key defining the domains.'),
      whenUnsatisfiable: t.enum(['DoNotSchedule', 'ScheduleAnyway'], { description: 'What to do when the constraint cannot be met.' }),
    },
    { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], description: 'How to spread matching pods across topology domains.' },
  ),
);

export const TopologySelectorLabelRequirement = def(
  CORE + 'TopologySelectorLabelRequirement',
  t.object(
    { key: str('Label key.'), values: strList('Accepted values; one must match.') },
    { required: ['key', 'values'], description: 'A requirement on a topology label.' },
  ),
);

export const TopologySelectorTerm = def(
  CORE + 'TopologySelectorTerm',
  t.object(
    { matchLabelExpressions: t.array(t.ref(TopologySelectorLabelRequirement), { listType: 'atomic', description: 'Requirements ANDed together.' }) },
    { structType: 'atomic', description: 'A topology requirement; an empty term matches nothing.' },
  ),
);

export type NodeSelectorRequirementT = Static<typeof NodeSelectorRequirement>;
export type NodeSelectorTermT = Static<typeof NodeSelectorTerm>;
export type NodeSelectorT = Static<typeof NodeSelector>;
export type PreferredSchedulingTermT = Static<typeof PreferredSchedulingTerm>;
export type NodeAffinityT = Static<typeof NodeAffinity>;
export type PodAffinityTermT = Static<typeof PodAffinityTerm>;
export type WeightedPodAffinityTermT = Static<typeof WeightedPodAffinityTerm>;
export type PodAffinityT = Static<typeof PodAffinity>;
export type PodAntiAffinityT = Static<typeof PodAntiAffinity>;
export type AffinityT = Static<typeof Affinity>;
export type TolerationT = Static<typeof Toleration>;
export type TaintT = Static<typeof Taint>;
export type TopologySpreadConstraintT = Static<typeof TopologySpreadConstraint>;
export type TopologySelectorTermT = Static<typeof TopologySelectorTerm>;
export type TopologySelectorLabelRequirementT = Static<typeof TopologySelectorLabelRequirement>;
