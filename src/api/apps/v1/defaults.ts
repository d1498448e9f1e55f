/**
 * apps/v1 SetDefaults_* as upstream: replicas, update strategies, history
 * limits, claim retention, and the pod template's own defaults.
 */
import { defaultPersistentVolumeClaim, defaultPodTemplateSpec } from '../../core/v1/defaults.js';
import type { DaemonSetT, DeploymentT, ReplicaSetT, StatefulSetT } from './types.js';

export function defaultDeployment(d: DeploymentT): void {
  const spec = (d.spec ??= {} as NonNullable<DeploymentT['spec']>);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  if (spec.template) defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSetT): void {
  const spec = (rs.spec ??= {} as NonNullable<ReplicaSetT['spec']>);
  spec.replicas ??= 1;
  if (spec.template) defaultPodTemplateSpec(spec.template);
}

export function defaultStatefulSet(ss: StatefulSetT): void {
  const spec = (ss.spec ??= {} as NonNullable<StatefulSetT['spec']>);
  spec.podManagementPolicy ??= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  // Only a rollingUpdate the user (or the line above) supplied gets a partition.
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (spec.template) defaultPodTemplateSpec(spec.template);
  // Upstream's generated defaulters descend into the claim templates too.
  for (const pvc of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(pvc);
}

export function defaultDaemonSet(ds: DaemonSetT): void {
  const spec = (ds.spec ??= {} as NonNullable<DaemonSetT['spec']>);
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (spec.template) defaultPodTemplateSpec(spec.template);
}
