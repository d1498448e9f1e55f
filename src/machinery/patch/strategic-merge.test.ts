import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors/status-error.js';
import { MapResolver, type Schema, refTo } from '../schema/types.js';
import { StrategicMergePatchError, applyStrategicMergePatch, strategicMergePatch } from './strategic-merge.js';

// A hand-made slice of the Pod/Deployment schemas: just the fields the cases touch.
const merge = (key?: string, extra = ''): Partial<Schema> => ({
  'x-kubernetes-patch-strategy': extra ? `merge,${extra}` : 'merge',
  ...(key ? { 'x-kubernetes-patch-merge-key': key } : {}),
});
const str: Schema = { type: 'string' };
const arrayOf = (items: Schema, meta: Partial<Schema> = {}): Schema => ({ type: 'array', items, ...meta });
const obj = (properties: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({ type: 'object', properties, ...extra });

const definitions = new Map<string, Schema>([
  [
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    obj({
      name: str,
      labels: { type: 'object', additionalProperties: str },
      annotations: { type: 'object', additionalProperties: str },
      finalizers: arrayOf(str, merge()),
      ownerReferences: arrayOf(obj({ uid: str, name: str, kind: str }), merge('uid')),
    }),
  ],
  [
    'io.k8s.api.core.v1.Container',
    obj({
      name: str,
      image: str,
      args: arrayOf(str),
      ports: arrayOf(obj({ containerPort: { type: 'integer' }, protocol: str, name: str }), merge('containerPort')),
      env: arrayOf(obj({ name: str, value: str }), merge('name')),
      volumeMounts: arrayOf(obj({ name: str, mountPath: str }), merge('mountPath')),
      resources: obj({ limits: { type: 'object', additionalProperties: str }, requests: { type: 'object', additionalProperties: str } }),
    }),
  ],
  ['io.k8s.api.core.v1.Volume', obj({ name: str, emptyDir: obj({ medium: str }), configMap: obj({ name: str }), hostPath: obj({ path: str }) })],
  [
    'io.k8s.api.core.v1.PodSpec',
    obj({
      containers: { ...arrayOf(refTo('io.k8s.api.core.v1.Container')), ...merge('name') },
      initContainers: { ...arrayOf(refTo('io.k8s.api.core.v1.Container')), ...merge('name') },
      volumes: { ...arrayOf(refTo('io.k8s.api.core.v1.Volume')), ...merge('name', 'retainKeys') },
      tolerations: arrayOf(obj({ key: str, operator: str, effect: str })),
      nodeSelector: { type: 'object', additionalProperties: str },
    }),
  ],
  ['io.k8s.api.core.v1.PodStatus', obj({ phase: str, conditions: arrayOf(obj({ type: str, status: str }), merge('type')) })],
  [
    'io.k8s.api.core.v1.Pod',
    obj({ apiVersion: str, kind: str, metadata: refTo('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: refTo('io.k8s.api.core.v1.PodSpec'), status: refTo('io.k8s.api.core.v1.PodStatus') }),
  ],
  ['io.k8s.api.core.v1.PodTemplateSpec', obj({ metadata: refTo('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: refTo('io.k8s.api.core.v1.PodSpec') })],
  ['io.k8s.api.apps.v1.DeploymentStrategy', obj({ type: str, rollingUpdate: obj({ maxSurge: str, maxUnavailable: str }) })],
  [
    'io.k8s.api.apps.v1.DeploymentSpec',
    obj({
      replicas: { type: 'integer' },
      selector: obj({ matchLabels: { type: 'object', additionalProperties: str } }),
      template: refTo('io.k8s.api.core.v1.PodTemplateSpec'),
      strategy: { ...refTo('io.k8s.api.apps.v1.DeploymentStrategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
    }),
  ],
  ['io.k8s.api.apps.v1.Deployment', obj({ apiVersion: str, kind: str, metadata: refTo('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), spec: refTo('io.k8s.api.apps.v1.DeploymentSpec') })],
]);
const resolver = new MapResolver(definitions);
const podSchema = refTo('io.k8s.api.core.v1.Pod');
const deploySchema = refTo('io.k8s.api.apps.v1.Deployment');

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' }, finalizers: ['f1', 'f2', 'f3'] },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1', args: ['a', 'b'], ports: [{ containerPort: 80 }, { containerPort: 443, name: 'https' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'side', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
    ],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }],
    tolerations: [{ key: 'k1', operator: 'Exists' }],
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] },
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }] } },
  },
};

interface Case {
  name: string;
  obj: 'pod' | 'deployment';
  patch: unknown;
  /** Expected failure text (compared with kubectl's `error: ...` line too). */
  error?: string;
  /** Spot check independent of kubectl. */
  check?: (out: any) => void;
}

const cases: Case[] = [
  { name: 'change a container image by name', obj: 'pod', patch: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } }, check: (o) => assert.equal(o.spec.containers[0].image, 'nginx:2') },
  { name: 'add a new container (goes first)', obj: 'pod', patch: { spec: { containers: [{ name: 'new', image: 'x' }] } }, check: (o) => assert.deepEqual(o.spec.containers.map((c: any) => c.name), ['new', 'app', 'side']) },
  { name: 'delete a container with $patch: delete', obj: 'pod', patch: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }, check: (o) => assert.equal(o.spec.containers.length, 1) },
  { name: 'merge env by name', obj: 'pod', patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: 'x' }, { name: 'C', value: '3' }] }] } } },
  { name: 'delete env entry by directive', obj: 'pod', patch: { spec: { containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }] } } },
  { name: 'merge ports by containerPort', obj: 'pod', patch: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 443, name: 'tls' }, { containerPort: 8080 }] }] } } },
  { name: 'volumes merge by name', obj: 'pod', patch: { spec: { volumes: [{ name: 'extra', hostPath: { path: '/x' } }] } } },
  { name: 'volume retainKeys swaps source', obj: 'pod', patch: { spec: { volumes: [{ name: 'data', hostPath: { path: '/h' }, $retainKeys: ['name', 'hostPath'] }] } }, check: (o) => assert.equal(o.spec.volumes.find((v: any) => v.name === 'data').emptyDir, undefined) },
  { name: 'tolerations are replaced', obj: 'pod', patch: { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }] } }, check: (o) => assert.deepEqual(o.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]) },
  { name: 'args (no strategy) are replaced', obj: 'pod', patch: { spec: { containers: [{ name: 'app', args: ['z'] }] } } },
  { name: 'finalizers merge as a set', obj: 'pod', patch: { metadata: { finalizers: ['f4', 'f2'] } } },
  { name: '$deleteFromPrimitiveList/finalizers', obj: 'pod', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['f2'] } }, check: (o) => assert.deepEqual(o.metadata.finalizers, ['f1', 'f3']) },
  { name: 'finalizers with $setElementOrder', obj: 'pod', patch: { metadata: { '$setElementOrder/finalizers': ['f3', 'f1', 'f2'] } } },
  { name: 'remove a label with null', obj: 'pod', patch: { metadata: { labels: { tier: null, new: 'x' } } }, check: (o) => assert.deepEqual(o.metadata.labels, { app: 'web', new: 'x' }) },
  { name: 'replace labels map with $patch: replace', obj: 'pod', patch: { metadata: { labels: { only: 'me', $patch: 'replace' } } } },
  { name: 'delete annotations map with $patch: delete', obj: 'pod', patch: { metadata: { annotations: { $patch: 'delete' } } } },
  { name: '$setElementOrder on containers', obj: 'pod', patch: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }] } }, check: (o) => assert.deepEqual(o.spec.containers.map((c: any) => c.name), ['side', 'app']) },
  {
    name: '$setElementOrder with a new container in the middle',
    obj: 'pod',
    patch: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'mid' }, { name: 'side' }], containers: [{ name: 'mid', image: 'm' }] } },
    check: (o) => assert.deepEqual(o.spec.containers.map((c: any) => c.name), ['app', 'mid', 'side']),
  },
  { name: '$patch: replace inside the containers list', obj: 'pod', patch: { spec: { containers: [{ name: 'only', image: 'o' }, { $patch: 'replace' }] } }, check: (o) => assert.equal(o.spec.containers.length, 1) },
  { name: 'status conditions merge by type', obj: 'pod', patch: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } } },
  { name: 'new map value with nulls is cleaned', obj: 'pod', patch: { spec: { nodeSelector: { a: 'b', c: null } } } },
  { name: 'new container keeps nested nulls (appended raw)', obj: 'pod', patch: { spec: { containers: [{ name: 'n', image: 'i', env: [{ name: 'E', value: null }] }] } } },
  { name: 'null removes a whole field', obj: 'pod', patch: { spec: { tolerations: null }, status: null } },
  { name: 'unknown field is merged like merge patch', obj: 'pod', patch: { spec: { extra: { a: 1 } }, metadata: { unknownMap: { x: 1 } } } },
  { name: 'deployment image change in template', obj: 'deployment', patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:3' }] } } } } },
  { name: 'deployment strategy retainKeys to Recreate', obj: 'deployment', patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, check: (o) => assert.deepEqual(o.spec.strategy, { type: 'Recreate' }) },
  { name: 'deployment strategy without retainKeys merges', obj: 'deployment', patch: { spec: { strategy: { type: 'Recreate' } } } },
  { name: 'deployment replicas and labels', obj: 'deployment', patch: { spec: { replicas: 5 }, metadata: { labels: { app: null, v: '2' } } } },
  { name: 'deployment env add in template', obj: 'deployment', patch: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '2' }] }] } } } } },
  { name: 'top-level $patch: replace of spec', obj: 'deployment', patch: { spec: { $patch: 'replace', replicas: 1 } } },
  { name: 'error: container without merge key', obj: 'pod', patch: { spec: { containers: [{ image: 'x' }] } }, error: 'map: map[image:x] does not contain declared merge key: name' },
  { name: 'error: delete directive without merge key', obj: 'pod', patch: { spec: { containers: [{ $patch: 'delete', image: 'x' }] } }, error: 'map: map[$patch:delete image:x] does not contain declared merge key: name' },
  { name: 'error: unknown map directive', obj: 'pod', patch: { metadata: { labels: { $patch: 'merge' } } }, error: 'unknown patch type: merge in map: map[$patch:merge]' },
  { name: 'error: $retainKeys not a list', obj: 'deployment', patch: { spec: { strategy: { $retainKeys: 'type' } } }, error: 'invalid patch format of retainKeys' },
  { name: 'error: patch field outside $retainKeys', obj: 'deployment', patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: '1' } } } }, error: 'invalid patch format of retainKeys' },
  { name: 'error: $patch: merge in list', obj: 'pod', patch: { spec: { containers: [{ $patch: 'merge' }] } }, error: 'merging lists cannot yet be specified in the patch' },
];

const KUBECTL = '/usr/bin/kubectl';
const haveKubectl = fs.existsSync(KUBECTL);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function kubectlPatch(original: unknown, patch: unknown, file: string): Promise<{ out?: unknown; error?: string }> {
  const f = path.join(tmp, file);
  fs.writeFileSync(f, JSON.stringify(original));
  return new Promise((resolve) => {
    execFile(KUBECTL, ['patch', '--local', '-f', f, '--type', 'strategic', '-p', JSON.stringify(patch), '-o', 'json'], { env: { ...process.env, KUBECONFIG: path.join(tmp, 'none') } }, (err, stdout, stderr) => {
      if (err) resolve({ error: stderr.trim().replace(/^error: /, '') });
      else resolve({ out: JSON.parse(stdout) });
    });
  });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

describe('strategicMergePatch', () => {
  for (const [i, c] of cases.entries()) {
    test(c.name, async (t) => {
      const original = deepFreeze(structuredClone(c.obj === 'pod' ? pod : deployment));
      const schema = c.obj === 'pod' ? podSchema : deploySchema;
      let ours: { out?: unknown; error?: string };
      try {
        ours = { out: strategicMergePatch(original, deepFreeze(structuredClone(c.patch)), schema, resolver) };
      } catch (err) {
        assert.ok(err instanceof StrategicMergePatchError, String(err));
        ours = { error: err.message };
      }
      if (c.error) assert.equal(ours.error, c.error);
      else {
        assert.equal(ours.error, undefined);
        c.check?.(ours.out);
      }
      if (!haveKubectl) {
        t.diagnostic(`${KUBECTL} not found: skipped comparison with kubectl`);
        return;
      }
      const theirs = await kubectlPatch(original, c.patch, `case-${i}.json`);
      assert.deepEqual(ours, theirs);
    });
  }
});

describe('applyStrategicMergePatch errors', () => {
  const table: { name: string; patch: unknown; code: number; reason: string; original?: unknown }[] = [
    { name: 'missing merge key is a 500 with the algorithm text', patch: { spec: { containers: [{ image: 'x' }] } }, code: 500, reason: '' },
    { name: 'bad $retainKeys is a 400', patch: { spec: { volumes: [{ name: 'data', $retainKeys: 'x' }] } }, code: 400, reason: 'BadRequest' },
    { name: 'bad $deleteFromPrimitiveList key is a 400', patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, code: 400, reason: 'BadRequest' },
    { name: 'list of lists is a 422', patch: { metadata: { finalizers: [['a']] } }, code: 422, reason: 'Invalid', original: { metadata: { finalizers: [] } } },
    { name: 'non-object patch is a 400', patch: [1], code: 400, reason: 'BadRequest' },
  ];
  for (const c of table) {
    test(c.name, () => {
      assert.throws(
        () => applyStrategicMergePatch(c.original ?? pod, c.patch, podSchema, resolver),
        (e: unknown) => e instanceof StatusError && e.code === c.code && e.reason === c.reason,
      );
    });
  }

  test('unknown schema falls back to merge-patch semantics', () => {
    const out = strategicMergePatch({ a: { b: 1, c: [1, 2] } }, { a: { c: [3], d: null } }, undefined, undefined);
    assert.deepEqual(out, { a: { b: 1, c: [3] } });
  });

  test('in place: the original becomes the result, the patch is untouched', () => {
    const original = structuredClone(pod);
    const patch = { spec: { containers: [{ name: 'app', image: 'z' }] } };
    const want = strategicMergePatch(structuredClone(pod), patch, podSchema, resolver);
    const out = strategicMergePatch(original, patch, podSchema, resolver, { inPlace: true });
    assert.deepEqual(out, want);
    assert.equal(out, original);
    assert.deepEqual(patch, { spec: { containers: [{ name: 'app', image: 'z' }] } });
  });

  test('does not mutate its inputs', () => {
    const original = structuredClone(pod);
    const patch = { spec: { containers: [{ name: 'app', image: 'z' }] } };
    strategicMergePatch(original, patch, podSchema, resolver);
    assert.deepEqual(original, pod);
    assert.deepEqual(patch, { spec: { containers: [{ name: 'app', image: 'z' }] } });
  });
});
