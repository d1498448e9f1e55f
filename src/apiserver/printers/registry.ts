/**
 * The printer table for built-in resources, keyed by group and resource.
 * Resources missing here (roles, clusterroles, limitranges, CRDs, ...) are
 * served with `defaultPrinter`, exactly as upstream does.
 */
import * as cluster from './cluster.js';
import * as core from './core.js';
import { podPrinter } from './pod.js';
import type { Printer } from './types.js';
import * as workloads from './workloads.js';

const builtinPrinters: ReadonlyMap<string, Printer> = new Map<string, Printer>([
  ['/pods', podPrinter],
  ['/podtemplates', workloads.podTemplatePrinter],
  ['/replicationcontrollers', workloads.replicationControllerPrinter],
  ['/services', core.servicePrinter],
  ['/endpoints', core.endpointsPrinter],
  ['/configmaps', core.configMapPrinter],
  ['/secrets', core.secretPrinter],
  ['/serviceaccounts', core.serviceAccountPrinter],
  ['/namespaces', core.namespacePrinter],
  ['/nodes', core.nodePrinter],
  ['/events', core.eventPrinter],
  ['events.k8s.io/events', core.eventPrinter],
  ['/persistentvolumes', core.persistentVolumePrinter],
  ['/persistentvolumeclaims', core.persistentVolumeClaimPrinter],
  ['/resourcequotas', core.resourceQuotaPrinter],
  ['/componentstatuses', core.componentStatusPrinter],
  ['discovery.k8s.io/endpointslices', core.endpointSlicePrinter],
  ['apps/deployments', workloads.deploymentPrinter],
  ['apps/replicasets', workloads.replicaSetPrinter],
  ['apps/statefulsets', workloads.statefulSetPrinter],
  ['apps/daemonsets', workloads.daemonSetPrinter],
  ['apps/controllerrevisions', workloads.controllerRevisionPrinter],
  ['batch/jobs', workloads.jobPrinter],
  ['batch/cronjobs', workloads.cronJobPrinter],
  ['autoscaling/horizontalpodautoscalers', workloads.horizontalPodAutoscalerPrinter],
  ['policy/poddisruptionbudgets', workloads.podDisruptionBudgetPrinter],
  ['networking.k8s.io/ingresses', cluster.ingressPrinter],
  ['networking.k8s.io/ingressclasses', cluster.ingressClassPrinter],
  ['networking.k8s.io/networkpolicies', cluster.networkPolicyPrinter],
  ['rbac.authorization.k8s.io/rolebindings', cluster.roleBindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', cluster.clusterRoleBindingPrinter],
  ['storage.k8s.io/storageclasses', cluster.storageClassPrinter],
  ['storage.k8s.io/csidrivers', cluster.csiDriverPrinter],
  ['storage.k8s.io/csinodes', cluster.csiNodePrinter],
  ['storage.k8s.io/volumeattachments', cluster.volumeAttachmentPrinter],
  ['coordination.k8s.io/leases', cluster.leasePrinter],
  ['scheduling.k8s.io/priorityclasses', cluster.priorityClassPrinter],
  ['node.k8s.io/runtimeclasses', cluster.runtimeClassPrinter],
  ['admissionregistration.k8s.io/mutatingwebhookconfigurations', cluster.webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/validatingwebhookconfigurations', cluster.webhookConfigurationPrinter],
]);

export function printerFor(group: string, resource: string): Printer | undefined {
  return builtinPrinters.get(`${group}/${resource}`);
}
