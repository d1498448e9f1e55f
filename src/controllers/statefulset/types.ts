/** The slices of apps/v1 StatefulSet and core/v1 PersistentVolumeClaim this controller reads and writes. */
import type { LabelSelector } from '../../machinery/labels/selector.js';
import type { KubeObject, ObjectMeta } from '../../machinery/meta/types.js';
import type { PodTemplateSpec } from '../framework/pods.js';

export type RetentionPolicyType = 'Retain' | 'Delete';

export interface StatefulSetStatus {
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  observedGeneration?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { phase?: string; [field: string]: unknown };
}

export interface ClaimTemplate {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    ordinals?: { start?: number };
    volumeClaimTemplates?: ClaimTemplate[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  };
  status?: StatefulSetStatus;
}

export const STATEFULSET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
