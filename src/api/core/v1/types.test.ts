import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../../../machinery/schema/types.js';
import { pruneUnknownFields } from '../../../machinery/schema/prune.js';
import { validateValue } from '../../../machinery/schema/validate.js';
import { metaDefinitions } from '../../meta/v1.js';
import { Scheme } from '../../scheme.js';
import { coreV1, coreV1Definitions } from './index.js';

const byName = new Map<string, Schema>([...metaDefinitions, ...coreV1Definitions].map((d) => [d.name, d.definition]));

function refs(s: Schema | undefined, out: string[] = []): string[] {
  if (!s || typeof s !== 'object') return out;
  if (s.$ref) out.push(s.$ref.replace('#/definitions/', ''));
  for (const p of Object.values(s.properties ?? {})) refs(p, out);
  if (s.items) refs(s.items, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') refs(s.additionalProperties, out);
  for (const a of s.allOf ?? []) refs(a, out);
  return out;
}

/** Follows a dotted property path through $refs and allOf. */
function at(defName: string, path: string): Schema {
  let s: Schema | undefined = byName.get(defName);
  for (const part of path.split('.')) {
    s = s?.properties?.[part];
    assert.ok(s, `${defName}.${path} missing at ${part}`);
    while (s && (s.$ref || s.allOf)) {
      const r: string | undefined = s.$ref ?? s.allOf?.[0]?.$ref;
      const merged: Schema | undefined = r ? byName.get(r.replace('#/definitions/', '')) : undefined;
      if (s.items || !merged) break;
      s = { ...merged, ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref' && k !== 'allOf')) };
    }
  }
  return s!;
}

const C = 'io.k8s.api.core.v1.';

describe('core/v1 definitions', () => {
  test('every $ref resolves within core/v1 and meta definitions', () => {
    const missing = coreV1Definitions.flatMap((d) => refs(d.definition).filter((r) => !byName.has(r)).map((r) => `${d.name} -> ${r}`));
    assert.deepEqual(missing, []);
  });

  test('definition names are unique', () => {
    const names = coreV1Definitions.map((d) => d.name);
    assert.equal(new Set(names).size, names.length);
  });

  test('every served kind has its group-version-kind', () => {
    for (const rt of coreV1.resources) {
      assert.deepEqual(rt.definition.definition['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: rt.kind }], rt.kind);
      assert.ok(coreV1Definitions.includes(rt.definition), `${rt.kind} definition listed`);
    }
  });

  const listCases: { name: string; def: string; path: string; want: Partial<Schema> }[] = [
    { name: 'PodSpec.containers', def: C + 'PodSpec', path: 'containers', want: { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } },
    { name: 'PodSpec.volumes', def: C + 'PodSpec', path: 'volumes', want: { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' } },
    { name: 'PodSpec.tolerations', def: C + 'PodSpec', path: 'tolerations', want: { 'x-kubernetes-list-type': 'atomic' } },
    { name: 'Container.ports', def: C + 'Container', path: 'ports', want: { 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] } },
    { name: 'Container.env', def: C + 'Container', path: 'env', want: { 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' } },
    { name: 'ServiceSpec.ports', def: C + 'ServiceSpec', path: 'ports', want: { 'x-kubernetes-patch-merge-key': 'port', 'x-kubernetes-list-map-keys': ['port', 'protocol'] } },
    { name: 'NodeStatus.conditions', def: C + 'NodeStatus', path: 'conditions', want: { 'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-list-type': 'map' } },
    { name: 'NodeSpec.podCIDRs', def: C + 'NodeSpec', path: 'podCIDRs', want: { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' } },
  ];
  for (const c of listCases) {
    test(`list metadata: ${c.name}`, () => {
      const s = at(c.def, c.path);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual((s as Record<string, unknown>)[k], v, k);
    });
  }

  test('numeric formats follow upstream (int32 vs int64)', () => {
    assert.equal(at(C + 'ContainerPort', 'containerPort').format, 'int32');
    assert.equal(at(C + 'PodSpec', 'terminationGracePeriodSeconds').format, 'int64');
    assert.equal(at(C + 'PodSpec', 'activeDeadlineSeconds').format, 'int64');
    assert.equal(at(C + 'Event', 'count').format, 'int32');
  });

  test('required lists follow upstream', () => {
    assert.deepEqual(byName.get(C + 'PodSpec')!.required, ['containers']);
    assert.deepEqual(byName.get(C + 'Container')!.required, ['name']);
    assert.deepEqual(byName.get(C + 'ServicePort')!.required, ['port']);
    assert.deepEqual(byName.get(C + 'Taint')!.required, ['key', 'effect']);
    assert.deepEqual(byName.get(C + 'Event')!.required, ['metadata', 'involvedObject']);
  });

  test('every property has a description', () => {
    const missing: string[] = [];
    for (const d of coreV1Definitions) {
      for (const [k, p] of Object.entries(d.definition.properties ?? {})) {
        const described = p.description || (p.$ref && byName.get(p.$ref.replace('#/definitions/', ''))?.description);
        if (!described && k !== 'metadata') missing.push(`${d.name}.${k}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

describe('core/v1 schemas accept upstream-shaped objects', () => {
  const scheme = new Scheme([], [...metaDefinitions, ...coreV1Definitions]);
  const samples: { name: string; kind: string; obj: unknown }[] = [
    {
      name: 'pod with most features',
      kind: 'Pod',
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default', labels: { app: 'x' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
              env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1 } },
              livenessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
              securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
              volumeMounts: [{ name: 'v', mountPath: '/v' }],
            },
          ],
          volumes: [{ name: 'v', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }],
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'x' } } }],
          securityContext: { fsGroup: 2000, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
          os: { name: 'linux' },
          schedulingGates: [{ name: 'g' }],
        },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.42.0.5' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'sha256:x', state: { running: { startedAt: '2024-01-01T00:00:00Z' } } }] },
      },
    },
    { name: 'service', kind: 'Service', obj: { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' } } },
    { name: 'node', kind: 'Node', obj: { metadata: { name: 'n' }, spec: { podCIDRs: ['10.42.0.0/24'], taints: [{ key: 'k', effect: 'NoExecute' }] }, status: { capacity: { cpu: '4' }, daemonEndpoints: { kubeletEndpoint: { Port: 10250 } }, nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', containerRuntimeVersion: 'c', kubeletVersion: 'v', kubeProxyVersion: 'v', operatingSystem: 'linux', architecture: 'amd64' } } } },
    { name: 'event', kind: 'Event', obj: { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, eventTime: '2024-01-01T00:00:00.000000Z', series: { count: 2, lastObservedTime: '2024-01-01T00:00:01.000000Z' }, reportingComponent: 'kubelet' } },
  ];
  for (const s of samples) {
    test(s.name, () => {
      const schema = byName.get(C + s.kind)!;
      const copy = structuredClone(s.obj);
      assert.deepEqual(pruneUnknownFields(copy, schema, { resolver: scheme }), []);
      assert.deepEqual(validateValue(copy, schema, { resolver: scheme }).map((e) => `${e.field}: ${e.detail ?? e.type}`), []);
    });
  }
});
