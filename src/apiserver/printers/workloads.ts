/** Printers for workload controllers: apps, batch, autoscaling, policy and pod templates. */
import {
  age, ageColumn, boolPtr, column, conditionIsTrue, containerCells, containersColumn, formatLabels, formatLabelSelector,
  imagesColumn, int, intOrString, labelSelectorString, nameColumn, nameOf, parseTime, since,
} from './format.js';
import { humanDuration } from './human-duration.js';
import type { Printer } from './types.js';

const selectorColumn = (description: string) => column('Selector', 'string', description, { priority: 1 });
const templateContainers = (obj: any) => containerCells(obj?.spec?.template?.spec?.containers);

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  cells(obj, ctx) {
    const s = labelSelectorString(obj?.spec?.selector);
    return [
      nameOf(obj),
      `${int(obj?.status?.readyReplicas)}/${obj?.spec?.replicas ?? 1}`,
      int(obj?.status?.updatedReplicas),
      int(obj?.status?.availableReplicas),
      age(obj, ctx),
      ...templateContainers(obj),
      s ?? '<invalid>',
    ];
  },
};

const replicaColumns = (kind: string) => [
  nameColumn,
  column('Desired', 'integer', `Replicas is the number of desired replicas of this ${kind}.`),
  column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
  column('Ready', 'integer', `The number of ready replicas for this ${kind}.`),
  ageColumn,
  containersColumn,
  imagesColumn,
];

export const replicaSetPrinter: Printer = {
  columns: [...replicaColumns('replica set'), selectorColumn('Selector is a label query over pods that should match the replica count.')],
  cells: (obj, ctx) => [
    nameOf(obj), obj?.spec?.replicas ?? 1, int(obj?.status?.replicas), int(obj?.status?.readyReplicas), age(obj, ctx),
    ...templateContainers(obj), formatLabelSelector(obj?.spec?.selector),
  ],
};

export const replicationControllerPrinter: Printer = {
  columns: [...replicaColumns('replication controller'), selectorColumn('Selector is a label query over pods that should match the Replicas count.')],
  cells: (obj, ctx) => [
    nameOf(obj), obj?.spec?.replicas ?? 1, int(obj?.status?.replicas), int(obj?.status?.readyReplicas), age(obj, ctx),
    ...templateContainers(obj), formatLabels(obj?.spec?.selector),
  ],
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn, column('Ready', 'string', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  cells: (obj, ctx) => [nameOf(obj), `${int(obj?.status?.readyReplicas)}/${obj?.spec?.replicas ?? 1}`, age(obj, ctx), ...templateContainers(obj)],
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn('A label query over pods that are managed by the daemon set.'),
  ],
  cells(obj, ctx) {
    const st = obj?.status ?? {};
    return [
      nameOf(obj), int(st.desiredNumberScheduled), int(st.currentNumberScheduled), int(st.numberReady), int(st.updatedNumberScheduled),
      int(st.numberAvailable), formatLabels(obj?.spec?.template?.spec?.nodeSelector), age(obj, ctx),
      ...templateContainers(obj), formatLabelSelector(obj?.spec?.selector),
    ];
  },
};

export function jobStatus(job: any): string {
  const conditions = job?.status?.conditions;
  if (conditionIsTrue(conditions, 'Complete')) return 'Complete';
  if (conditionIsTrue(conditions, 'Failed')) return 'Failed';
  if (job?.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionIsTrue(conditions, 'Suspended')) return 'Suspended';
  if (conditionIsTrue(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn('A label query over pods that should match the pod count.'),
  ],
  cells(obj, ctx) {
    const succeeded = int(obj?.status?.succeeded);
    let completions: string;
    if (typeof obj?.spec?.completions === 'number') {
      completions = `${succeeded}/${obj.spec.completions}`;
    } else {
      const parallelism = int(obj?.spec?.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(obj?.status?.startTime);
    const end = parseTime(obj?.status?.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? ctx.now) - start);
    return [nameOf(obj), jobStatus(obj), completions, duration, age(obj, ctx), ...templateContainers(obj), formatLabelSelector(obj?.spec?.selector)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn,
    column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn('A label query over pods that should match the pod count.'),
  ],
  cells(obj, ctx) {
    const last = obj?.status?.lastScheduleTime ? since(obj.status.lastScheduleTime, ctx) : '<none>';
    const jobSpec = obj?.spec?.jobTemplate?.spec;
    return [
      nameOf(obj), obj?.spec?.schedule ?? '', obj?.spec?.timeZone ?? '<none>', boolPtr(obj?.spec?.suspend),
      (obj?.status?.active ?? []).length, last, age(obj, ctx),
      ...containerCells(jobSpec?.template?.spec?.containers), formatLabelSelector(jobSpec?.selector),
    ];
  },
};

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells(obj, ctx) {
    const ref = (obj?.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
    let controller = '<none>';
    if (ref) {
      const apiVersion: string = ref.apiVersion ?? '';
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
      controller = groupKind ? `${String(groupKind).toLowerCase()}/${ref.name}` : ref.name;
    }
    return [nameOf(obj), controller, int(obj?.revision), age(obj, ctx)];
  },
};

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn,
  ],
  cells: (obj, ctx) => [
    nameOf(obj),
    obj?.spec?.minAvailable != null ? intOrString(obj.spec.minAvailable) : 'N/A',
    obj?.spec?.maxUnavailable != null ? intOrString(obj.spec.maxUnavailable) : 'N/A',
    int(obj?.status?.disruptionsAllowed),
    age(obj, ctx),
  ],
};

export const podTemplatePrinter: Printer = {
  columns: [
    nameColumn,
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells: (obj) => [nameOf(obj), ...containerCells(obj?.template?.spec?.containers), formatLabels(obj?.template?.metadata?.labels)],
};

/** autoscaling/v1 objects carry one CPU target instead of a metrics list. */
function hpaMetrics(obj: any): { specs: any[]; statuses: any[] } {
  const spec = obj?.spec ?? {};
  const status = obj?.status ?? {};
  if (Array.isArray(spec.metrics) || spec.targetCPUUtilizationPercentage === undefined) {
    return { specs: spec.metrics ?? [], statuses: status.currentMetrics ?? [] };
  }
  const current = status.currentCPUUtilizationPercentage;
  return {
    specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }],
    statuses: current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
  };
}

/** The Targets cell: "cpu: 50%/80%", at most two metrics then "+ N more...". */
export function formatHPAMetrics(specs: any[], statuses: any[]): string {
  if (specs.length === 0) return '<none>';
  const q = (v: unknown) => (v == null ? '0' : String(v));
  const list: string[] = [];
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (spec?.type) {
      case 'External':
      case 'Object': {
        const key = spec.type === 'External' ? 'external' : 'object';
        const target = spec[key]?.target ?? {};
        const cur = st?.[key];
        if (target.averageValue != null) {
          const current = cur?.current?.averageValue != null ? q(cur.current.averageValue) : '<unknown>';
          list.push(`${current}/${q(target.averageValue)} (avg)`);
        } else {
          const current = cur ? q(cur.current?.value) : '<unknown>';
          list.push(`${current}/${q(target.value)}`);
        }
        break;
      }
      case 'Pods': {
        const current = st?.pods ? q(st.pods.current?.averageValue) : '<unknown>';
        list.push(`${current}/${q(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const src = spec[key] ?? {};
        const cur = st?.[key];
        if (src.target?.averageValue != null) {
          const current = cur ? q(cur.current?.averageValue) : '<unknown>';
          list.push(`${src.name}: ${current}/${q(src.target.averageValue)}`);
        } else {
          const current = cur?.current?.averageUtilization != null ? `${cur.current.averageUtilization}%` : '<unknown>';
          const target = src.target?.averageUtilization != null ? `${src.target.averageUtilization}%` : '<auto>';
          list.push(`${src.name}: ${current}/${target}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameColumn,
    column('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn,
  ],
  cells(obj, ctx) {
    const ref = obj?.spec?.scaleTargetRef ?? {};
    const { specs, statuses } = hpaMetrics(obj);
    const minPods = typeof obj?.spec?.minReplicas === 'number' ? String(obj.spec.minReplicas) : '<unset>';
    return [nameOf(obj), `${ref.kind ?? ''}/${ref.name ?? ''}`, formatHPAMetrics(specs, statuses), minPods, int(obj?.spec?.maxReplicas), int(obj?.status?.currentReplicas), age(obj, ctx)];
  },
};
