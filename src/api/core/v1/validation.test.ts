import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type FieldError, FieldPath, fieldErrorText } from '../../../machinery/errors/field.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { ResourceType } from '../../scheme.js';
import * as r from './resources.js';
import type { PodT } from './types.js';
import * as v from './validation.js';

function texts(errs: FieldError[]): string[] {
  return errs.map(fieldErrorText);
}

/** Defaults then validates a create, as the server does. */
function create(rt: ResourceType, obj: object): string[] {
  const o = structuredClone(obj) as KubeObject;
  rt.defaults?.(o);
  return texts(rt.validate?.(o, undefined, { operation: 'create' }) ?? []);
}

function update(rt: ResourceType, obj: object, old: object, subresource?: string): string[] {
  const o = structuredClone(obj) as KubeObject;
  const prev = structuredClone(old) as KubeObject;
  rt.defaults?.(o);
  rt.defaults?.(prev);
  return texts(rt.validate?.(o, prev, { operation: 'update', subresource }) ?? []);
}

const meta = { name: 'x', namespace: 'default' };
const container = { name: 'app', image: 'nginx:1.27' };
const pod = (spec: object = {}): object => ({ metadata: meta, spec: { containers: [container], ...spec } });
const svc = (spec: object = {}): object => ({ metadata: meta, spec: { ports: [{ port: 80 }], ...spec } });

describe('core/v1 validation: valid objects pass', () => {
  const valid: { name: string; rt: ResourceType; obj: object }[] = [
    {
      name: 'Pod (full)',
      rt: r.pods,
      obj: pod({
        initContainers: [{ name: 'init', image: 'busybox' }, { name: 'sidecar', image: 'envoy', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 9901 } } }],
        containers: [
          {
            ...container,
            ports: [{ name: 'http', containerPort: 80 }],
            env: [{ name: 'A', value: '1' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
            envFrom: [{ secretRef: { name: 's' } }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
            livenessProbe: { httpGet: { port: 'http' } },
            readinessProbe: { grpc: { port: 9000 } },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }],
        tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
      }),
    },
    { name: 'Service', rt: r.services, obj: svc({ selector: { app: 'x' } }) },
    { name: 'Service headless without ports', rt: r.services, obj: { metadata: meta, spec: { clusterIP: 'None' } } },
    { name: 'Service ExternalName', rt: r.services, obj: { metadata: meta, spec: { type: 'ExternalName', externalName: 'db.example.com' } } },
    { name: 'Service LoadBalancer', rt: r.services, obj: svc({ type: 'LoadBalancer', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 443 }] }) },
    { name: 'ConfigMap', rt: r.configMaps, obj: { metadata: meta, data: { 'app.properties': 'a=b', KEY_1: 'x' }, binaryData: { 'b.bin': 'AAE=' } } },
    { name: 'Secret tls', rt: r.secrets, obj: { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YQ==', 'tls.key': 'Yg==' } } },
    { name: 'Secret dockerconfigjson', rt: r.secrets, obj: { metadata: meta, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } } },
    { name: 'Namespace', rt: r.namespaces, obj: { metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] } } },
    { name: 'Node', rt: r.nodes, obj: { metadata: { name: 'node-1' }, spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '4', pods: '110' } } } },
    { name: 'PersistentVolume', rt: r.persistentVolumes, obj: { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } } },
    { name: 'PersistentVolumeClaim', rt: r.persistentVolumeClaims, obj: { metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
    { name: 'ResourceQuota', rt: r.resourceQuotas, obj: { metadata: meta, spec: { hard: { pods: '10', 'requests.cpu': '4' } } } },
    { name: 'LimitRange', rt: r.limitRanges, obj: { metadata: meta, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' }, default: { cpu: '500m' } }] } } },
    { name: 'ReplicationController', rt: r.replicationControllers, obj: { metadata: meta, spec: { replicas: 2, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } } } } },
    { name: 'PodTemplate', rt: r.podTemplates, obj: { metadata: meta, template: { spec: { containers: [container] } } } },
    { name: 'Endpoints', rt: r.endpoints, obj: { metadata: meta, subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }] } },
    { name: 'Event', rt: r.events, obj: { metadata: meta, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'ok', type: 'Normal' } },
    { name: 'Binding', rt: r.bindings, obj: { metadata: meta, target: { kind: 'Node', name: 'node-1' } } },
  ];
  for (const c of valid) test(c.name, () => assert.deepEqual(create(c.rt, c.obj), []));
});

describe('core/v1 validation: invalid objects report upstream paths and messages', () => {
  const cases: { name: string; rt: ResourceType; obj: object; want: string[] }[] = [
    { name: 'pod without containers', rt: r.pods, obj: { metadata: meta, spec: { containers: [] } }, want: ['spec.containers: Required value'] },
    { name: 'container name not a DNS label', rt: r.pods, obj: pod({ containers: [{ name: 'App', image: 'x' }] }), want: ["spec.containers[0].name: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"] },
    { name: 'duplicate container names across init and app', rt: r.pods, obj: pod({ initContainers: [container] }), want: ['spec.containers[0].name: Duplicate value: "app"'] },
    { name: 'image missing', rt: r.pods, obj: pod({ containers: [{ name: 'a' }] }), want: ['spec.containers[0].image: Required value'] },
    { name: 'containerPort out of range', rt: r.pods, obj: pod({ containers: [{ ...container, ports: [{ containerPort: 70000 }] }] }), want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'] },
    { name: 'bad protocol', rt: r.pods, obj: pod({ containers: [{ ...container, ports: [{ containerPort: 80, protocol: 'HTTP' }] }] }), want: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'] },
    { name: 'duplicate port names', rt: r.pods, obj: pod({ containers: [{ ...container, ports: [{ name: 'web', containerPort: 80 }, { name: 'web', containerPort: 81 }] }] }), want: ['spec.containers[0].ports[1].name: Duplicate value: "web"'] },
    { name: 'env name invalid', rt: r.pods, obj: pod({ containers: [{ ...container, env: [{ name: '1A=' }] }] }), want: ["spec.containers[0].env[0].name: Invalid value: \"1A=\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"] },
    { name: 'duplicate volume names', rt: r.pods, obj: pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }), want: ['spec.volumes[1].name: Duplicate value: "v"'] },
    { name: 'two volume sources', rt: r.pods, obj: pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }), want: ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type'] },
    { name: 'mount of unknown volume', rt: r.pods, obj: pod({ containers: [{ ...container, volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] }), want: ['spec.containers[0].volumeMounts[0].name: Not found: "nope"'] },
    { name: 'bad restartPolicy', rt: r.pods, obj: pod({ restartPolicy: 'Sometimes' }), want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'] },
    { name: 'bad dnsPolicy', rt: r.pods, obj: pod({ dnsPolicy: 'Google' }), want: ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'] },
    { name: 'request above limit', rt: r.pods, obj: pod({ containers: [{ ...container, resources: { requests: { cpu: '200m' }, limits: { cpu: '100m' } } }] }), want: ['spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m'] },
    { name: 'negative request', rt: r.pods, obj: pod({ containers: [{ ...container, resources: { requests: { memory: '-1' } } }] }), want: ['spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0'] },
    { name: 'probe with two handlers', rt: r.pods, obj: pod({ containers: [{ ...container, livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }] }), want: ['spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'] },
    { name: 'probe without handler', rt: r.pods, obj: pod({ containers: [{ ...container, readinessProbe: { periodSeconds: 5 } }] }), want: ['spec.containers[0].readinessProbe: Required value: must specify a handler type'] },
    { name: 'liveness successThreshold must be 1', rt: r.pods, obj: pod({ containers: [{ ...container, livenessProbe: { exec: { command: ['x'] }, successThreshold: 2 } }] }), want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'] },
    { name: 'probe on plain init container', rt: r.pods, obj: pod({ initContainers: [{ name: 'i', image: 'x', livenessProbe: { exec: { command: ['x'] } } }] }), want: ['spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always'] },
    { name: 'restartPolicy on app container', rt: r.pods, obj: pod({ containers: [{ ...container, restartPolicy: 'Always' }] }), want: ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'] },
    { name: 'toleration with empty key and Equal', rt: r.pods, obj: pod({ tolerations: [{ operator: 'Equal', value: 'x' }] }), want: ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'] },
    { name: 'tolerationSeconds without NoExecute', rt: r.pods, obj: pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }), want: ['spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set'] },
    { name: 'node selector term without values', rt: r.pods, obj: pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] } } } }), want: ["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"] },
    { name: 'pod affinity without topologyKey', rt: r.pods, obj: pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { a: 'b' } }, topologyKey: '' }] } } }), want: ['spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty'] },
    { name: 'activeDeadlineSeconds zero', rt: r.pods, obj: pod({ activeDeadlineSeconds: 0 }), want: ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'] },
    { name: 'service without ports', rt: r.services, obj: { metadata: meta, spec: { selector: { a: 'b' } } }, want: ['spec.ports: Required value'] },
    { name: 'service port out of range', rt: r.services, obj: svc({ ports: [{ port: 0 }] }), want: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive'] },
    { name: 'service port names required with several ports', rt: r.services, obj: svc({ ports: [{ name: 'a', port: 80 }, { port: 81 }] }), want: ['spec.ports[1].name: Required value'] },
    { name: 'service duplicate port names', rt: r.services, obj: svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }), want: ['spec.ports[1].name: Duplicate value: "a"'] },
    { name: 'service bad type', rt: r.services, obj: svc({ type: 'Magic' }), want: ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'] },
    { name: 'nodePort on ClusterIP', rt: r.services, obj: svc({ ports: [{ port: 80, nodePort: 30000 }] }), want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
    { name: 'bad clusterIP', rt: r.services, obj: svc({ clusterIP: '10.0.0.300' }), want: ['spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
    { name: 'configmap bad key', rt: r.configMaps, obj: { metadata: meta, data: { 'a b': 'x' } }, want: ["data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"] },
    { name: 'configmap key in data and binaryData', rt: r.configMaps, obj: { metadata: meta, data: { k: 'x' }, binaryData: { k: 'eA==' } }, want: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'] },
    { name: 'tls secret without keys', rt: r.secrets, obj: { metadata: meta, type: 'kubernetes.io/tls', data: {} }, want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'] },
    { name: 'dockerconfigjson secret without key', rt: r.secrets, obj: { metadata: meta, type: 'kubernetes.io/dockerconfigjson' }, want: ['data[.dockerconfigjson]: Required value'] },
    { name: 'service account token secret without annotation', rt: r.secrets, obj: { metadata: meta, type: 'kubernetes.io/service-account-token' }, want: ['metadata.annotations[kubernetes.io/service-account.name]: Required value'] },
    { name: 'PVC without access modes or storage', rt: r.persistentVolumeClaims, obj: { metadata: meta, spec: {} }, want: ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value'] },
    { name: 'PVC with zero storage', rt: r.persistentVolumeClaims, obj: { metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } } }, want: ['spec.resources[storage]: Invalid value: "0": must be greater than zero'] },
    { name: 'PV without access modes', rt: r.persistentVolumes, obj: { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/x' } } }, want: ['spec.accessModes: Required value'] },
    { name: 'PV without source', rt: r.persistentVolumes, obj: { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }, want: ['spec: Required value: must specify a volume type'] },
    { name: 'quota negative', rt: r.resourceQuotas, obj: { metadata: meta, spec: { hard: { cpu: '-1' } } }, want: ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0'] },
    { name: 'quota fractional pods', rt: r.resourceQuotas, obj: { metadata: meta, spec: { hard: { pods: '1500m' } } }, want: ['spec.hard[pods]: Invalid value: "1500m": must be an integer'] },
    { name: 'limit range item without a type', rt: r.limitRanges, obj: { metadata: meta, spec: { limits: [{ max: { cpu: '1' } }] } }, want: ['spec.limits[0].type: Unsupported value: "": supported values: "Pod", "Container", "PersistentVolumeClaim"'] },
    { name: 'limit range min above max', rt: r.limitRanges, obj: { metadata: meta, spec: { limits: [{ type: 'Pod', max: { cpu: '1' }, min: { cpu: '2' } }] } }, want: ['spec.limits[0][cpu]: Invalid value: "2": min value 2 is greater than max value 1'] },
    { name: 'RC selector does not match template', rt: r.replicationControllers, obj: { metadata: meta, spec: { selector: { app: 'y' }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } } } }, want: ['spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`'] },
    { name: 'RC template restartPolicy', rt: r.replicationControllers, obj: { metadata: meta, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container], restartPolicy: 'Never' } } } }, want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'] },
    { name: 'node duplicate taints', rt: r.nodes, obj: { metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] } }, want: ['spec.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair'] },
    { name: 'node bad taint effect', rt: r.nodes, obj: { metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'Never' }] } }, want: ['spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'] },
    { name: 'namespace bad finalizer', rt: r.namespaces, obj: { metadata: { name: 'n' }, spec: { finalizers: ['custom'] } }, want: ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'] },
    { name: 'event namespace mismatch', rt: r.events, obj: { metadata: meta, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }, want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'] },
    { name: 'binding to a non-node', rt: r.bindings, obj: { metadata: meta, target: { kind: 'Pod', name: 'n' } }, want: ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"'] },
    { name: 'endpoints bad ip', rt: r.endpoints, obj: { metadata: meta, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 80 }] }] }, want: ['subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(create(c.rt, c.obj), c.want));
});

describe('core/v1 validation: updates', () => {
  const base = pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }], activeDeadlineSeconds: 100 }) as PodT;
  const with_ = (f: (p: PodT) => void): PodT => {
    const p = structuredClone(base);
    f(p);
    return p;
  };
  const podCases: { name: string; next: PodT; want: string[] | RegExp }[] = [
    { name: 'image change allowed', next: with_((p) => (p.spec!.containers[0]!.image = 'nginx:1.28')), want: [] },
    { name: 'toleration added', next: with_((p) => p.spec!.tolerations!.push({ key: 'b', operator: 'Exists' })), want: [] },
    { name: 'tolerationSeconds lowered', next: with_((p) => (p.spec!.tolerations![0]!.tolerationSeconds = 30)), want: [] },
    { name: 'toleration removed', next: with_((p) => (p.spec!.tolerations = [])), want: ['spec.tolerations[0]: Forbidden: existing toleration can not be modified except its tolerationSeconds'] },
    { name: 'deadline raised', next: with_((p) => (p.spec!.activeDeadlineSeconds = 200)), want: ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value'] },
    { name: 'other field changed', next: with_((p) => (p.spec!.containers[0]!.workingDir = '/tmp')), want: /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,.*\n {2}changed: spec\.containers\[0\]\.workingDir$/ },
  ];
  for (const c of podCases) {
    test(`pod: ${c.name}`, () => {
      const got = update(r.pods, c.next, base);
      if (c.want instanceof RegExp) {
        assert.equal(got.length, 1, got.join('\n'));
        assert.match(got[0]!, c.want);
      } else assert.deepEqual(got, c.want);
    });
  }

  test('pod: scheduling gates may only be removed', () => {
    const gated = pod({ schedulingGates: [{ name: 'example.com/wait' }] });
    assert.deepEqual(update(r.pods, pod(), gated), []);
    assert.deepEqual(update(r.pods, gated, pod()), ["spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/wait'"]);
  });

  test('service: clusterIP may not change once set', () => {
    const old = svc({ clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'] });
    assert.deepEqual(update(r.services, svc({ clusterIP: '10.43.0.11', clusterIPs: ['10.43.0.11'] }), old), ['spec.clusterIPs[0]: Invalid value: ["10.43.0.11"]: may not change once set']);
    assert.deepEqual(update(r.services, old, old), []);
  });

  test('pvc: spec immutable except storage growth when bound', () => {
    const old = { metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv1' }, status: { phase: 'Bound' } };
    const grown = structuredClone(old);
    grown.spec.resources.requests.storage = '2Gi';
    assert.deepEqual(update(r.persistentVolumeClaims, grown, old), []);
    const shrunk = structuredClone(old);
    shrunk.spec.resources.requests.storage = '512Mi';
    assert.deepEqual(update(r.persistentVolumeClaims, shrunk, old), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
    const changed = structuredClone(old);
    changed.spec.accessModes = ['ReadWriteMany'];
    const errs = update(r.persistentVolumeClaims, changed, old);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec: Forbidden: spec is immutable after creation except resources.requests for bound claims/);
  });

  test('pv: source immutable', () => {
    const old = { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/a' } } };
    const next = structuredClone(old);
    next.spec.hostPath.path = '/b';
    assert.match(update(r.persistentVolumes, next, old).join('\n'), /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation/);
  });

  test('secret: immutable data and type', () => {
    const old = { metadata: meta, immutable: true, data: { a: 'YQ==' } };
    assert.deepEqual(update(r.secrets, { ...old, data: { a: 'Yg==' } }, old), ['data: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(update(r.secrets, { metadata: meta, type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } }, { metadata: meta, data: {} }), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
  });

  test('ephemeral containers may be added but not changed', () => {
    const old = pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] });
    const added = pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox' }, { name: 'dbg2', image: 'busybox' }] });
    assert.deepEqual(update(r.pods, added, old, 'ephemeralcontainers'), []);
    const changed = pod({ ephemeralContainers: [{ name: 'dbg', image: 'alpine' }] });
    assert.deepEqual(update(r.pods, changed, old, 'ephemeralcontainers'), ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed\n']);
  });

  test('ephemeral containers may target a regular or init container, not another ephemeral one', () => {
    const old = pod({ initContainers: [{ ...container, name: 'setup' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] });
    const add = (c: object) => pod({ initContainers: [{ ...container, name: 'setup' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }, { name: 'dbg2', image: 'busybox', ...c }] });
    assert.deepEqual(update(r.pods, add({ targetContainerName: (container as { name: string }).name }), old, 'ephemeralcontainers'), []);
    assert.deepEqual(update(r.pods, add({ targetContainerName: 'setup' }), old, 'ephemeralcontainers'), []);
    assert.deepEqual(update(r.pods, add({ targetContainerName: 'dbg' }), old, 'ephemeralcontainers'), ['spec.ephemeralContainers[1].targetContainerName: Not found: "dbg"']);
    assert.deepEqual(update(r.pods, add({ targetContainerName: 'nosuch' }), old, 'ephemeralcontainers'), ['spec.ephemeralContainers[1].targetContainerName: Not found: "nosuch"']);
  });

  test('ephemeral containers: empty resources are the zero value, set ones are refused', () => {
    const old = pod({});
    const empty = pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox', resources: {} }] });
    assert.deepEqual(update(r.pods, empty, old, 'ephemeralcontainers'), []);
    const limited = pod({ ephemeralContainers: [{ name: 'dbg', image: 'busybox', resources: { limits: { cpu: '1' } }, ports: [] }] });
    assert.deepEqual(update(r.pods, limited, old, 'ephemeralcontainers'), [
      'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    ]);
  });
});

describe('core/v1 validation: exported helpers for other groups', () => {
  test('validatePodTemplateSpec reports template label paths as upstream', () => {
    const errs = texts(v.validatePodTemplateSpec({ metadata: { labels: { 'bad key!': 'x' } }, spec: { containers: [{ ...container, imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } }, new FieldPath('spec').child('template')));
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec\.template\.labels: Invalid value: "bad key!"/);
  });

  test('validatePodTemplateSpec forbids ephemeral containers', () => {
    const errs = texts(v.validatePodTemplateSpec({ spec: { containers: [{ ...container, imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], ephemeralContainers: [{ name: 'e', image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } }, new FieldPath('template')));
    assert.deepEqual(errs, ['template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template']);
  });

  test('validateResourceRequirements: extended resources need equal request and limit', () => {
    const errs = texts(v.validateResourceRequirements({ requests: { 'example.com/gpu': '1' } }, new FieldPath('resources')));
    assert.deepEqual(errs, ['resources.limits: Required value: Limit must be set for non overcommitable resources']);
  });
});
