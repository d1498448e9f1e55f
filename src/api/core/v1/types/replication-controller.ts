/** ReplicationController: the legacy keeper of N pod replicas. */
import { def, t, type Static } from '../../../schema/dsl.js';
import { ObjectMeta, Time } from '../../../meta/v1.js';
import { PodTemplateSpec } from './pod.js';
import { CORE, gvk, i32, i64, str } from './fields.js';

export const ReplicationControllerSpec = def(
  CORE + 'ReplicationControllerSpec',
  t.object({
    minReadySeconds: i32('Seconds a new pod must be ready to count as available.'),
    replicas: i32('Desired number of pods; defaults to 1.'),
    selector: t.map(t.string(), { mapType: 'atomic', description: 'Labels of the pods counted; defaults to the template labels.' }),
    template: t.ref(PodTemplateSpec, { description: 'Pods created when too few exist.' }),
  }, { description: 'The desired state of a replication controller.' }),
);

export const ReplicationControllerCondition = def(
  CORE + 'ReplicationControllerCondition',
  t.object(
    {
      lastTransitionTime: t.ref(Time, { description: 'When the condition last changed status.' }),
      message: str('Human-readable detail.'),
      reason: str('Machine-readable reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Type of the condition.'),
    },
    { required: ['type', 'status'], description: 'A condition of a replication controller.' },
  ),
);

export const ReplicationControllerStatus = def(
  CORE + 'ReplicationControllerStatus',
  t.object(
    {
      availableReplicas: i32('Pods available for at least minReadySeconds.'),
      conditions: t.array(t.ref(ReplicationControllerCondition), { listType: 'map', mapKeys: ['type'], mergeKey: 'type', patchStrategy: 'merge', description: 'Current conditions.' }),
      fullyLabeledReplicas: i32('Pods whose labels match the template labels.'),
      observedGeneration: i64('Generation last acted on.'),
      readyReplicas: i32('Ready pods.'),
      replicas: i32('Pods currently selected.'),
    },
    { required: ['replicas'], description: 'The observed state of a replication controller.' },
  ),
);

export const ReplicationController = def(
  CORE + 'ReplicationController',
  t.object({
    apiVersion: str('Versioned schema of this object.'),
    kind: str('Kind of this object.'),
    metadata: t.ref(ObjectMeta),
    spec: t.ref(ReplicationControllerSpec, { description: 'Desired state.' }),
    status: t.ref(ReplicationControllerStatus, { description: 'Observed state.' }),
  }, { description: 'Keeps a number of pod replicas running.' }),
  gvk('ReplicationController'),
);

export type ReplicationControllerSpecT = Static<typeof ReplicationControllerSpec>;
export type ReplicationControllerStatusT = Static<typeof ReplicationControllerStatus>;
export type ReplicationControllerT = Static<typeof ReplicationController>;
