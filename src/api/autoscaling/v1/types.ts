/**
 * autoscaling/v1 definitions: Scale (the payload of every scale
 * subresource) and the cpu-only HorizontalPodAutoscaler.
 */
import { def, t, type Static } from '../../schema/dsl.js';
import { ObjectMeta, Time } from '../../meta/v1.js';

const P = 'io.k8s.api.autoscaling.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: 'autoscaling', version: 'v1', kind }] });

const apiVersion = t.string({ description: 'The versioned schema of this representation of an object.' });
const kindField = t.string({ description: 'The REST resource this object represents, in CamelCase.' });
const metadata = t.ref(ObjectMeta, { description: "Standard object's metadata." });

export const ScaleSpec = def(P + 'ScaleSpec', t.object({ replicas: t.int32({ description: 'The desired number of instances of the scaled object.' }) }, { description: 'The desired scale.' }));

export const ScaleStatus = def(
  P + 'ScaleStatus',
  t.object(
    {
      replicas: t.int32({ description: 'The observed number of instances of the scaled object.' }),
      selector: t.string({ description: 'The label query over the pods counted in replicas, in label-selector string form.' }),
    },
    { required: ['replicas'], description: 'The observed scale.' },
  ),
);

export const Scale = def(
  P + 'Scale',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(ScaleSpec, { description: 'The desired scale of the object.' }),
    status: t.ref(ScaleStatus, { description: 'The current scale of the object; read-only.' }),
  }, { description: 'A scaling request for a resource.' }),
  gvk('Scale'),
);

export const CrossVersionObjectReference = def(
  P + 'CrossVersionObjectReference',
  t.object(
    {
      apiVersion: t.string({ description: 'API version of the referent.' }),
      kind: t.string({ description: 'Kind of the referent.' }),
      name: t.string({ description: 'Name of the referent.' }),
    },
    { required: ['kind', 'name'], description: 'Identifies the object to scale.' },
  ),
);

export const HorizontalPodAutoscalerSpec = def(
  P + 'HorizontalPodAutoscalerSpec',
  t.object(
    {
      maxReplicas: t.int32({ description: 'The upper limit of replicas; not below minReplicas.' }),
      minReplicas: t.int32({ description: 'The lower limit of replicas (default 1).' }),
      scaleTargetRef: t.ref(CrossVersionObjectReference, { description: 'The resource to scale.' }),
      targetCPUUtilizationPercentage: t.int32({ description: 'Target mean cpu utilization across pods, as a percentage of requested cpu (default 80).' }),
    },
    { required: ['scaleTargetRef', 'maxReplicas'], description: 'The desired behaviour of a HorizontalPodAutoscaler.' },
  ),
);

export const HorizontalPodAutoscalerStatus = def(
  P + 'HorizontalPodAutoscalerStatus',
  t.object(
    {
      currentCPUUtilizationPercentage: t.int32({ description: 'Current mean cpu utilization across pods, as a percentage of requested cpu.' }),
      currentReplicas: t.int32({ description: 'Current number of replicas of the pods managed by this autoscaler.' }),
      desiredReplicas: t.int32({ description: 'The replica count the autoscaler last computed.' }),
      lastScaleTime: t.ref(Time, { description: 'When the autoscaler last scaled the target.' }),
      observedGeneration: t.int64({ description: 'The most recent generation observed by this autoscaler.' }),
    },
    { required: ['currentReplicas', 'desiredReplicas'], description: 'The current state of a HorizontalPodAutoscaler.' },
  ),
);

export const HorizontalPodAutoscaler = def(
  P + 'HorizontalPodAutoscaler',
  t.object({
    apiVersion,
    kind: kindField,
    metadata,
    spec: t.ref(HorizontalPodAutoscalerSpec, { description: 'Desired behaviour of the autoscaler.' }),
    status: t.ref(HorizontalPodAutoscalerStatus, { description: 'Current status of the autoscaler.' }),
  }, { description: 'Scales a resource with a scale subresource on cpu utilization.' }),
  gvk('HorizontalPodAutoscaler'),
);

export type ScaleSpecT = Static<typeof ScaleSpec>;
export type ScaleStatusT = Static<typeof ScaleStatus>;
export type ScaleT = Static<typeof Scale>;
export type CrossVersionObjectReferenceT = Static<typeof CrossVersionObjectReference>;
export type HorizontalPodAutoscalerSpecT = Static<typeof HorizontalPodAutoscalerSpec>;
export type HorizontalPodAutoscalerStatusT = Static<typeof HorizontalPodAutoscalerStatus>;
export type HorizontalPodAutoscalerT = Static<typeof HorizontalPodAutoscaler>;

export const autoscalingV1Definitions = [
  ScaleSpec,
  ScaleStatus,
  Scale,
  CrossVersionObjectReference,
  HorizontalPodAutoscalerSpec,
  HorizontalPodAutoscalerStatus,
  HorizontalPodAutoscaler,
] as const;
