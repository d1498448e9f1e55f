/** The slice of apps/v1 DaemonSet the controller reads and writes. */
import type { LabelSelector } from '../../machinery/labels/selector.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import type { PodTemplateSpec } from '../framework/pods.js';

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: DaemonSetStatus;
}

export const DAEMONSET_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;

/** Pod label naming the template generation a pod was made from (kept for old clients, as upstream). */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** DaemonSet annotation the API server keeps in step with template changes. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
