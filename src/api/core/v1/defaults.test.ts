import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as d from './defaults.js';
import type { ContainerT, PodT, PodTemplateSpecT, ReplicationControllerT, ServiceT } from './types.js';

function pod(containers: Partial<ContainerT>[], extra: Partial<PodT['spec']> = {}): PodT {
  return { metadata: { name: 'p' }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, ...c })), ...extra } };
}

describe('core/v1 defaults', () => {
  const pullCases: { name: string; image: string | undefined; want: string }[] = [
    { name: 'no tag', image: 'nginx', want: 'Always' },
    { name: 'latest tag', image: 'nginx:latest', want: 'Always' },
    { name: 'version tag', image: 'nginx:1.27', want: 'IfNotPresent' },
    { name: 'registry with port, no tag', image: 'registry:5000/team/app', want: 'Always' },
    { name: 'registry with port and tag', image: 'registry:5000/team/app:v1', want: 'IfNotPresent' },
    { name: 'digest only', image: 'nginx@sha256:' + 'a'.repeat(64), want: 'IfNotPresent' },
    { name: 'tag and digest', image: 'nginx:latest@sha256:' + 'a'.repeat(64), want: 'Always' },
    { name: 'empty image', image: undefined, want: 'IfNotPresent' },
  ];
  for (const c of pullCases) {
    test(`imagePullPolicy: ${c.name}`, () => {
      const p = pod([{ image: c.image }]);
      d.defaultPod(p);
      assert.equal(p.spec!.containers[0]!.imagePullPolicy, c.want);
    });
  }

  test('pod spec defaults as upstream', () => {
    const p = pod([{ image: 'nginx', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } }], {
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's' } }, { name: 'd', hostPath: { path: '/x' } }, { name: 'e', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }, { name: 'f', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }],
    });
    d.defaultPod(p);
    const s = p.spec!;
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.deepEqual(s.securityContext, {});
    assert.equal(s.enableServiceLinks, true);
    const c = s.containers[0]!;
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.equal(c.ports![0]!.protocol, 'TCP');
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    const vols = s.volumes!;
    assert.deepEqual(vols[0], { name: 'a', emptyDir: {} });
    assert.equal(vols[1]!.configMap!.defaultMode, 420);
    assert.equal(vols[2]!.secret!.defaultMode, 420);
    assert.equal(vols[3]!.hostPath!.type, '');
    assert.equal(vols[4]!.projected!.defaultMode, 420);
    assert.equal(vols[4]!.projected!.sources![0]!.serviceAccountToken!.expirationSeconds, 3600);
    assert.equal(vols[5]!.downwardAPI!.defaultMode, 420);
    assert.equal(vols[5]!.downwardAPI!.items![0]!.fieldRef!.apiVersion, 'v1');
  });

  test('requests default from limits on pods only', () => {
    const p = pod([{ image: 'x', resources: { limits: { cpu: '100m', memory: '1Gi' }, requests: { cpu: '50m' } } }]);
    d.defaultPod(p);
    assert.deepEqual(p.spec!.containers[0]!.resources!.requests, { cpu: '50m', memory: '1Gi' });
    const tpl: PodTemplateSpecT = { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }] } };
    d.defaultPodTemplateSpec(tpl);
    assert.equal(tpl.spec!.containers[0]!.resources!.requests, undefined);
  });

  test('host network pods get hostPort = containerPort', () => {
    const p = pod([{ image: 'x', ports: [{ containerPort: 8080 }] }], { hostNetwork: true });
    d.defaultPod(p);
    assert.equal(p.spec!.containers[0]!.ports![0]!.hostPort, 8080);
  });

  const svcCases: { name: string; spec: ServiceT['spec']; want: Record<string, unknown> }[] = [
    { name: 'plain ClusterIP', spec: { ports: [{ port: 80 }] }, want: { type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: undefined } },
    { name: 'NodePort', spec: { type: 'NodePort', ports: [{ port: 80 }] }, want: { externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' } },
    { name: 'LoadBalancer', spec: { type: 'LoadBalancer', ports: [{ port: 80 }] }, want: { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true } },
    { name: 'ExternalName', spec: { type: 'ExternalName', externalName: 'x.example.com' }, want: { internalTrafficPolicy: undefined } },
    { name: 'ClientIP affinity', spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }, want: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } } },
  ];
  for (const c of svcCases) {
    test(`service defaults: ${c.name}`, () => {
      const svc: ServiceT = { metadata: { name: 's' }, spec: c.spec };
      d.defaultService(svc);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual((svc.spec as Record<string, unknown>)[k], v, k);
    });
  }

  test('service ports get protocol TCP and targetPort = port', () => {
    const svc: ServiceT = { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } };
    d.defaultService(svc);
    assert.deepEqual(svc.spec!.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, protocol: 'TCP', targetPort: 'https' }]);
  });

  test('secret: type Opaque and stringData folded into data', () => {
    const s = { metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello' } };
    d.defaultSecret(s);
    assert.deepEqual(s, { metadata: { name: 's' }, type: 'Opaque', data: { a: 'YQ==', b: 'aGVsbG8=' } });
  });

  test('PV and PVC defaults', () => {
    const pv = { metadata: { name: 'pv' }, spec: {} };
    d.defaultPersistentVolume(pv);
    assert.deepEqual(pv, { metadata: { name: 'pv' }, spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    const pvc = { metadata: { name: 'c' }, spec: {} };
    d.defaultPersistentVolumeClaim(pvc);
    assert.deepEqual(pvc, { metadata: { name: 'c' }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  });

  test('namespace gets the name label and Active phase', () => {
    const ns = { metadata: { name: 'team' } };
    d.defaultNamespace(ns);
    assert.deepEqual(ns, { metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' } }, status: { phase: 'Active' } });
  });

  test('replication controller: replicas 1, selector and labels from template', () => {
    const rc: ReplicationControllerT = { metadata: { name: 'rc' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } } };
    d.defaultReplicationController(rc);
    assert.equal(rc.spec!.replicas, 1);
    assert.deepEqual(rc.spec!.selector, { app: 'x' });
    assert.deepEqual(rc.metadata!.labels, { app: 'x' });
    assert.equal(rc.spec!.template!.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent');
  });

  test('limit range: default from max, defaultRequest from default then min', () => {
    const lr = { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }, { type: 'Pod', max: { cpu: '4' } }] } };
    d.defaultLimitRange(lr);
    assert.deepEqual(lr.spec.limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
    assert.deepEqual(lr.spec.limits[1], { type: 'Pod', max: { cpu: '4' } });
  });

  test('node allocatable defaults to capacity', () => {
    const node = { metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } };
    d.defaultNode(node);
    assert.deepEqual((node.status as { allocatable?: unknown }).allocatable, { cpu: '4' });
  });

  test('endpoints ports get protocol TCP', () => {
    const ep = { metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
    d.defaultEndpoints(ep);
    assert.equal((ep.subsets[0]!.ports[0] as { protocol?: string }).protocol, 'TCP');
  });
});
