import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { printerFor, defaultPrinter, crdPrinter, humanDuration, evalJSONPath, type Printer } from './index.js';

const now = Date.parse('2025-01-01T12:00:00Z');
const ctx = { now };
const ago = (ms: number) => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(5 * M), ...extra });
const printer = (group: string, resource: string): Printer => {
  const p = printerFor(group, resource);
  assert.ok(p, `${group}/${resource} has a printer`);
  return p;
};
const columnNames = (p: Printer) => p.columns.map((c) => c.name);

describe('humanDuration', () => {
  const cases: [string, number, string][] = [
    ['far future is invalid', -2 * S, '<invalid>'],
    ['slightly ahead is now', -1500, '0s'],
    ['seconds', 59 * S, '59s'],
    ['under two minutes in seconds', 119 * S, '119s'],
    ['minutes and seconds', 2 * M + 5 * S, '2m5s'],
    ['whole minutes', 5 * M, '5m'],
    ['over ten minutes', 10 * M + 30 * S, '10m'],
    ['under three hours in minutes', 179 * M, '179m'],
    ['hours and minutes', 3 * H + 20 * M, '3h20m'],
    ['whole hours', 5 * H, '5h'],
    ['under two days in hours', 47 * H, '47h'],
    ['days and hours', 2 * D + 3 * H, '2d3h'],
    ['whole days', 3 * D, '3d'],
    ['under two years in days', 400 * D, '400d'],
    ['years and days', 800 * D, '2y70d'],
    ['many years', 9 * 365 * D, '9y'],
  ];
  for (const [name, ms, want] of cases) test(name, () => assert.equal(humanDuration(ms), want));
});

describe('evalJSONPath', () => {
  const obj = {
    metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: { replicas: 3, containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False', count: 2 }] },
  };
  const cases: [string, string, unknown[]][] = [
    ['nested field', '.spec.replicas', [3]],
    ['braces and dollar', '{$.metadata.name}', ['x']],
    ['index', '.spec.containers[1].image', ['busybox']],
    ['negative index', '.spec.containers[-1].name', ['b']],
    ['wildcard', '.spec.containers[*].name', ['a', 'b']],
    ['filter then field', '.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['filter with single quotes', ".status.conditions[?(@.type == 'Synced')].count", [2]],
    ['filter numeric', '.status.conditions[?(@.count>1)].type', ['Synced']],
    ['presence filter', '.status.conditions[?(@.count)].type', ['Synced']],
    ['bracketed key with dots', ".metadata.labels['app.kubernetes.io/name']", ['web']],
    ['missing field', '.spec.missing', []],
    ['out of range', '.spec.containers[5]', []],
    ['unsupported recursive descent', '..name', []],
  ];
  for (const [name, expr, want] of cases) test(name, () => assert.deepEqual(evalJSONPath(obj, expr), want));
});

describe('pod printer', () => {
  const p = printer('', 'pods');
  test('columns', () =>
    assert.deepEqual(columnNames(p), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']));
  test('wide columns have priority 1', () => assert.deepEqual(p.columns.map((c) => c.priority), [0, 0, 0, 0, 0, 1, 1, 1, 1]));

  const running = (name: string, extra: Record<string, unknown> = {}) => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: ago(4 * M) } }, ...extra });
  const cases: { name: string; pod: any; want: unknown[] }[] = [
    {
      name: 'running and ready',
      pod: {
        metadata: meta('web'),
        spec: { nodeName: 'n1', containers: [{ name: 'a' }, { name: 'b' }] },
        status: { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('a'), running('b', { ready: false })] },
      },
      want: ['web', '1/2', 'Running', '0', '5m', '10.42.0.5', 'n1', '<none>', '<none>'],
    },
    {
      name: 'pending without status',
      pod: { metadata: meta('p'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } },
      want: ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'container creating',
      pod: { metadata: meta('p'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } },
      want: ['p', '0/1', 'ContainerCreating', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'crash loop with last restart time',
      pod: {
        metadata: meta('c'),
        spec: { containers: [{ name: 'a' }] },
        status: {
          phase: 'Running',
          containerStatuses: [{ name: 'a', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * M + 10 * S) } } }],
        },
      },
      want: ['c', '0/1', 'CrashLoopBackOff', '5 (2m10s ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'init containers progressing',
      pod: {
        metadata: meta('i'),
        spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'i2', restartCount: 0, state: { running: {} } },
          ],
          containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
        },
      },
      want: ['i', '0/1', 'Init:1/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'init container waiting with PodInitializing counts as progress',
      pod: {
        metadata: meta('i'),
        spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] },
        status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] },
      },
      want: ['i', '0/1', 'Init:0/1', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'init container crash loop',
      pod: {
        metadata: meta('i'),
        spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] },
        status: { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * S) } } }] },
      },
      want: ['i', '0/1', 'Init:CrashLoopBackOff', '3 (30s ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'init container failed without reason',
      pod: {
        metadata: meta('i'),
        spec: { initContainers: [{ name: 'i1' }], containers: [{ name: 'a' }] },
        status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', restartCount: 0, state: { terminated: { exitCode: 2 } } }] },
      },
      want: ['i', '0/1', 'Init:ExitCode:2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'sidecar init container counts toward ready',
      pod: {
        metadata: meta('s'),
        spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
          initContainerStatuses: [{ name: 'side', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * M) } } }],
          containerStatuses: [running('a')],
        },
      },
      want: ['s', '2/2', 'Running', '1 (3m ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'completed job pod',
      pod: {
        metadata: meta('done'),
        spec: { containers: [{ name: 'a' }] },
        status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      },
      want: ['done', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'terminated by signal without reason',
      pod: {
        metadata: meta('sig'),
        spec: { containers: [{ name: 'a' }] },
        status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
      },
      want: ['sig', '0/1', 'Signal:9', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'one completed container while another runs and pod is not ready',
      pod: {
        metadata: meta('mix'),
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running('b')],
        },
      },
      want: ['mix', '1/2', 'NotReady', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'terminating',
      pod: { metadata: meta('t', { deletionTimestamp: ago(10 * S) }), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Running', containerStatuses: [running('a')] } },
      want: ['t', '1/1', 'Terminating', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'node lost',
      pod: { metadata: meta('l'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('a')] } },
      want: ['l', '1/1', 'NodeLost', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'node lost while deleting is Unknown',
      pod: { metadata: meta('l', { deletionTimestamp: ago(S) }), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('a')] } },
      want: ['l', '1/1', 'Unknown', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'evicted',
      pod: { metadata: meta('e'), spec: { containers: [{ name: 'a' }] }, status: { phase: 'Failed', reason: 'Evicted' } },
      want: ['e', '0/1', 'Evicted', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'scheduling gated with readiness gates and nominated node',
      pod: {
        metadata: meta('g'),
        spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'x/ok' }, { conditionType: 'x/lb' }] },
        status: { phase: 'Pending', nominatedNodeName: 'n2', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }, { type: 'x/ok', status: 'True' }] },
      },
      want: ['g', '0/1', 'SchedulingGated', '0', '5m', '<none>', '<none>', 'n2', '1/2'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(p.cells(c.pod, ctx), c.want));

  test('row conditions for finished pods', () => {
    assert.deepEqual(p.conditions?.({ status: { phase: 'Succeeded' } }), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    assert.equal(p.conditions?.({ status: { phase: 'Running' } }), undefined);
  });
});

describe('built-in printers', () => {
  const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };
  const cases: { name: string; group: string; resource: string; columns: string[]; obj: any; want: unknown[] }[] = [
    {
      name: 'deployment', group: 'apps', resource: 'deployments',
      columns: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } },
      want: ['web', '2/3', 3, 2, '5m', 'web,log', 'nginx:1.27,busybox', 'app=web,tier in (a,b)'],
    },
    {
      name: 'replicaset', group: 'apps', resource: 'replicasets',
      columns: ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('web-abc'), spec: { replicas: 2, selector: {}, template }, status: { replicas: 2, readyReplicas: 1 } },
      want: ['web-abc', 2, 2, 1, '5m', 'web,log', 'nginx:1.27,busybox', '<none>'],
    },
    {
      name: 'statefulset', group: 'apps', resource: 'statefulsets',
      columns: ['Name', 'Ready', 'Age', 'Containers', 'Images'],
      obj: { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 3 } },
      want: ['db', '3/3', '5m', 'web,log', 'nginx:1.27,busybox'],
    },
    {
      name: 'daemonset', group: 'apps', resource: 'daemonsets',
      columns: ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('agent'), spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } },
      want: ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '5m', 'web,log', 'nginx:1.27,busybox', 'app=agent'],
    },
    {
      name: 'job running', group: 'batch', resource: 'jobs',
      columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('pi'), spec: { completions: 1, template, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } } }, status: { startTime: ago(90 * S) } },
      want: ['pi', 'Running', '0/1', '90s', '5m', 'web,log', 'nginx:1.27,busybox', 'batch.kubernetes.io/controller-uid=u1'],
    },
    {
      name: 'job complete', group: 'batch', resource: 'jobs',
      columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('pi'), spec: { parallelism: 3, template }, status: { succeeded: 1, startTime: ago(4 * M), completionTime: ago(M), conditions: [{ type: 'Complete', status: 'True' }] } },
      want: ['pi', 'Complete', '1/1 of 3', '3m', '5m', 'web,log', 'nginx:1.27,busybox', '<none>'],
    },
    {
      name: 'job suspended', group: 'batch', resource: 'jobs',
      columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('s'), spec: { completions: 2, template }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } },
      want: ['s', 'Suspended', '0/2', '', '5m', 'web,log', 'nginx:1.27,busybox', '<none>'],
    },
    {
      name: 'cronjob', group: 'batch', resource: 'cronjobs',
      columns: ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
      obj: { metadata: meta('nightly'), spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'x' }], lastScheduleTime: ago(2 * H) } },
      want: ['nightly', '0 3 * * *', '<none>', 'False', 1, '120m', '5m', 'web,log', 'nginx:1.27,busybox', '<none>'],
    },
    {
      name: 'service cluster ip', group: '', resource: 'services',
      columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
      obj: { metadata: meta('web'), spec: { type: 'NodePort', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }], selector: { app: 'web' } } },
      want: ['web', 'NodePort', '10.96.0.10', '<none>', '80/TCP,443:30443/TCP', '5m', 'app=web'],
    },
    {
      name: 'service load balancer pending', group: '', resource: 'services',
      columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
      obj: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [{ port: 53, nodePort: 31000, protocol: 'UDP' }] } },
      want: ['lb', 'LoadBalancer', '10.96.0.11', '<pending>', '53:31000/UDP', '5m', '<none>'],
    },
    {
      name: 'service load balancer with ingress', group: '', resource: 'services',
      columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
      obj: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], externalIPs: ['1.2.3.4'] }, status: { loadBalancer: { ingress: [{ ip: '192.168.1.9' }, { hostname: 'lb.example' }] } } },
      want: ['lb', 'LoadBalancer', '10.96.0.11', '192.168.1.9,lb.example,1.2.3.4', '<none>', '5m', '<none>'],
    },
    {
      name: 'headless externalname service', group: '', resource: 'services',
      columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
      obj: { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
      want: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
    },
    {
      name: 'endpoints with more than three', group: '', resource: 'endpoints',
      columns: ['Name', 'Endpoints', 'Age'],
      obj: { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }] },
      want: ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '5m'],
    },
    {
      name: 'endpointslice', group: 'discovery.k8s.io', resource: 'endpointslices',
      columns: ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
      obj: { metadata: meta('web-x'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'http' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] },
      want: ['web-x', 'IPv4', '80,http', '10.0.0.1,10.0.0.2', '5m'],
    },
    {
      name: 'configmap', group: '', resource: 'configmaps',
      columns: ['Name', 'Data', 'Age'],
      obj: { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
      want: ['cfg', 3, '5m'],
    },
    {
      name: 'secret', group: '', resource: 'secrets',
      columns: ['Name', 'Type', 'Data', 'Age'],
      obj: { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } },
      want: ['tls', 'kubernetes.io/tls', 2, '5m'],
    },
    {
      name: 'serviceaccount', group: '', resource: 'serviceaccounts',
      columns: ['Name', 'Secrets', 'Age'],
      obj: { metadata: meta('default') },
      want: ['default', 0, '5m'],
    },
    {
      name: 'namespace', group: '', resource: 'namespaces',
      columns: ['Name', 'Status', 'Age'],
      obj: { metadata: meta('kube-system'), status: { phase: 'Active' } },
      want: ['kube-system', 'Active', '5m'],
    },
    {
      name: 'node cordoned control plane', group: '', resource: 'nodes',
      columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
      obj: {
        metadata: meta('n1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/role': 'etcd' } }),
        spec: { unschedulable: true },
        status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }], nodeInfo: { kubeletVersion: 'v1.32.0-k8ts', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'k8ts://0.1.0' } },
      },
      want: ['n1', 'Ready,SchedulingDisabled', 'control-plane,etcd,master', '5m', 'v1.32.0-k8ts', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'k8ts://0.1.0'],
    },
    {
      name: 'node without conditions', group: '', resource: 'nodes',
      columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
      obj: { metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
      want: ['n2', 'NotReady', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    },
    {
      name: 'event', group: '', resource: 'events',
      columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
      obj: { metadata: meta('web.17'), type: 'Normal', reason: 'Pulled', message: 'Pulled image "nginx"\n', involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{web}' }, source: { component: 'kubelet', host: 'n1' }, firstTimestamp: ago(10 * M), lastTimestamp: ago(30 * S), count: 4 },
      want: ['30s', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, n1', 'Pulled image "nginx"', '10m', 4, 'web.17'],
    },
    {
      name: 'event with eventTime only', group: '', resource: 'events',
      columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
      obj: { metadata: meta('s.1'), type: 'Normal', reason: 'Scheduled', message: 'ok', involvedObject: { kind: 'Pod', name: 'web' }, reportingComponent: 'default-scheduler', eventTime: '2025-01-01T11:59:00.000000Z' },
      want: ['60s', 'Normal', 'Scheduled', 'pod/web', '', 'default-scheduler', 'ok', '60s', 1, 's.1'],
    },
    {
      name: 'persistentvolumeclaim bound', group: '', resource: 'persistentvolumeclaims',
      columns: ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
      obj: { metadata: meta('data'), spec: { volumeName: 'pv-1', storageClassName: 'local-path', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } },
      want: ['data', 'Bound', 'pv-1', '1Gi', 'RWO,RWX', 'local-path', '<unset>', '5m', 'Filesystem'],
    },
    {
      name: 'persistentvolume', group: '', resource: 'persistentvolumes',
      columns: ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode'],
      obj: { metadata: meta('pv-1'), spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local-path' }, status: { phase: 'Bound' } },
      want: ['pv-1', '1Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '5m', '<unset>'],
    },
    {
      name: 'resourcequota', group: '', resource: 'resourcequotas',
      columns: ['Name', 'Request', 'Limit', 'Age'],
      obj: { metadata: meta('q'), status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi' }, used: { pods: '3', 'limits.memory': '1Gi' } } },
      want: ['q', 'pods: 3/10, requests.cpu: 0/2', 'limits.memory: 1Gi/4Gi', '5m'],
    },
    {
      name: 'hpa', group: 'autoscaling', resource: 'horizontalpodautoscalers',
      columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
      obj: {
        metadata: meta('web'),
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }, { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] },
        status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50 } } }] },
      },
      want: ['web', 'Deployment/web', 'cpu: 50%/80%, memory: <unknown>/100Mi', '1', 10, 2, '5m'],
    },
    {
      name: 'hpa autoscaling/v1 shape', group: 'autoscaling', resource: 'horizontalpodautoscalers',
      columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
      obj: { metadata: meta('web'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, status: { currentReplicas: 1 } },
      want: ['web', 'Deployment/web', 'cpu: <unknown>/60%', '<unset>', 5, 1, '5m'],
    },
    {
      name: 'poddisruptionbudget', group: 'policy', resource: 'poddisruptionbudgets',
      columns: ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'],
      obj: { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } },
      want: ['pdb', '50%', 'N/A', 1, '5m'],
    },
    {
      name: 'ingress', group: 'networking.k8s.io', resource: 'ingresses',
      columns: ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
      obj: { metadata: meta('web'), spec: { ingressClassName: 'k8ts', rules: [{ host: 'a.test' }, { host: 'b.test' }], tls: [{ hosts: ['a.test'] }] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } } },
      want: ['web', 'k8ts', 'a.test,b.test', '10.0.0.9', '80, 443', '5m'],
    },
    {
      name: 'rolebinding', group: 'rbac.authorization.k8s.io', resource: 'rolebindings',
      columns: ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
      obj: { metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'dev' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'ci' }, { kind: 'User', name: 'bob' }] },
      want: ['rb', 'ClusterRole/view', '5m', 'alice, bob', 'dev', 'ci:bot'],
    },
    {
      name: 'default storageclass', group: 'storage.k8s.io', resource: 'storageclasses',
      columns: ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
      obj: { metadata: meta('local-path', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'k8ts.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
      want: ['local-path (default)', 'k8ts.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '5m'],
    },
    {
      name: 'lease', group: 'coordination.k8s.io', resource: 'leases',
      columns: ['Name', 'Holder', 'Age'],
      obj: { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'n1_abc' } },
      want: ['kube-scheduler', 'n1_abc', '5m'],
    },
    {
      name: 'priorityclass', group: 'scheduling.k8s.io', resource: 'priorityclasses',
      columns: ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy'],
      obj: { metadata: meta('system-node-critical'), value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' },
      want: ['system-node-critical', 2000001000, false, '5m', 'PreemptLowerPriority'],
    },
    {
      name: 'controllerrevision', group: 'apps', resource: 'controllerrevisions',
      columns: ['Name', 'Controller', 'Revision', 'Age'],
      obj: { metadata: meta('agent-5d', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }), revision: 2 },
      want: ['agent-5d', 'daemonset.apps/agent', 2, '5m'],
    },
    {
      name: 'csidriver defaults', group: 'storage.k8s.io', resource: 'csidrivers',
      columns: ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age'],
      obj: { metadata: meta('csi.test'), spec: { volumeLifecycleModes: ['Persistent'] } },
      want: ['csi.test', true, false, false, '<unset>', false, 'Persistent', '5m'],
    },
    {
      name: 'podtemplate', group: '', resource: 'podtemplates',
      columns: ['Name', 'Containers', 'Images', 'Pod Labels'],
      obj: { metadata: meta('t'), template: { metadata: { labels: { b: '2', a: '1' } }, spec: template.spec } },
      want: ['t', 'web,log', 'nginx:1.27,busybox', 'a=1,b=2'],
    },
    {
      name: 'componentstatus', group: '', resource: 'componentstatuses',
      columns: ['Name', 'Status', 'Message', 'Error'],
      obj: { metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] },
      want: ['etcd-0', 'Healthy', 'ok', ''],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = printer(c.group, c.resource);
      assert.deepEqual(columnNames(p), c.columns);
      assert.deepEqual(p.cells(c.obj, ctx), c.want);
    });
  }

  test('every built-in printer yields one cell per column, even for a bare object', () => {
    const resources = [
      ['', 'pods'], ['', 'podtemplates'], ['', 'replicationcontrollers'], ['', 'services'], ['', 'endpoints'], ['', 'configmaps'],
      ['', 'secrets'], ['', 'serviceaccounts'], ['', 'namespaces'], ['', 'nodes'], ['', 'events'], ['', 'persistentvolumes'],
      ['', 'persistentvolumeclaims'], ['', 'resourcequotas'], ['', 'componentstatuses'], ['discovery.k8s.io', 'endpointslices'],
      ['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['apps', 'controllerrevisions'],
      ['batch', 'jobs'], ['batch', 'cronjobs'], ['autoscaling', 'horizontalpodautoscalers'], ['policy', 'poddisruptionbudgets'],
      ['networking.k8s.io', 'ingresses'], ['networking.k8s.io', 'ingressclasses'], ['networking.k8s.io', 'networkpolicies'],
      ['rbac.authorization.k8s.io', 'rolebindings'], ['rbac.authorization.k8s.io', 'clusterrolebindings'], ['storage.k8s.io', 'storageclasses'],
      ['storage.k8s.io', 'csidrivers'], ['storage.k8s.io', 'csinodes'], ['storage.k8s.io', 'volumeattachments'], ['coordination.k8s.io', 'leases'],
      ['scheduling.k8s.io', 'priorityclasses'],
    ];
    for (const [g, r] of resources) {
      const p = printer(g!, r!);
      const cells = p.cells({ metadata: { name: 'x' } }, ctx);
      assert.equal(cells.length, p.columns.length, `${g}/${r}`);
      assert.ok(p.columns.every((col) => col.description !== ''), `${g}/${r} descriptions`);
    }
  });

  test('kinds without a printer fall back to the default', () => {
    for (const [g, r] of [['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'clusterroles'], ['', 'limitranges'], ['apiextensions.k8s.io', 'customresourcedefinitions']]) {
      assert.equal(printerFor(g!, r!), undefined, `${g}/${r}`);
    }
    assert.deepEqual(columnNames(defaultPrinter), ['Name', 'Created At']);
    assert.equal(defaultPrinter.columns[1]!.type, 'date');
    assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'admin', creationTimestamp: '2024-06-01T10:00:00Z' } }, ctx), ['admin', '2024-06-01T10:00:00Z']);
  });
});

describe('crdPrinter', () => {
  const obj = {
    metadata: { name: 'c1', creationTimestamp: ago(3 * H) },
    spec: { replicas: 2, paused: true, image: { repo: 'x' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], lastSync: ago(90 * S) },
  };
  test('columns from additionalPrinterColumns, cells typed', () => {
    const p = crdPrinter([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'ready?' },
      { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused', priority: 1 },
      { name: 'Image', type: 'string', jsonPath: '.spec.image' },
      { name: 'Synced', type: 'date', jsonPath: '.status.lastSync' },
      { name: 'Missing', type: 'string', jsonPath: '.status.nothing' },
      { name: 'Wrong', type: 'integer', jsonPath: '.spec.paused' },
    ]);
    assert.deepEqual(columnNames(p), ['Name', 'Replicas', 'Ready', 'Paused', 'Image', 'Synced', 'Missing', 'Wrong']);
    assert.equal(p.columns[3]!.priority, 1);
    assert.equal(p.columns[2]!.description, 'ready?');
    assert.deepEqual(p.cells(obj, ctx), ['c1', 2, 'True', true, '{"repo":"x"}', '90s', null, null]);
  });
  test('no columns means Age', () => {
    const p = crdPrinter([]);
    assert.deepEqual(p.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
    assert.deepEqual(p.cells(obj, ctx), ['c1', '3h']);
  });
});
