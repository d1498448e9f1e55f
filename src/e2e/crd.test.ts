/**
 * CustomResourceDefinitions through the real kubectl: a CRD is established
 * and served within a second, its objects are defaulted, validated, printed,
 * scaled and explained like upstream's, and deleting the CRD takes its
 * objects and endpoints with it. Definitions and objects survive a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunResult, TestServer, kubectlPath } from '../testing/server-harness.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [color]
            properties:
              color: {type: string, enum: [red, green, blue], description: The colour of the widget.}
              replicas: {type: integer, minimum: 1, default: 1}
              size: {type: string, default: medium}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

const GIZMO_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.example.com
spec:
  group: example.com
  scope: Cluster
  names: {plural: gizmos, singular: gizmo, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {level: {type: integer}}}
`;

const NS = 'crd-e2e';

function widget(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: NS }, spec });
}

describe('CustomResourceDefinitions through kubectl', { skip }, () => {
  let s: TestServer;
  let cacheDir: string;
  /** kubectl with this file's own discovery cache, so other runs cannot leave it stale. */
  const kubectl = (args: string[], input?: string): Promise<RunResult> => s.kubectl(args, { input, env: { KUBECACHEDIR: cacheDir } });
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-crd-cache-'));
    s = await TestServer.start();
    await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
  });
  after(async () => {
    await s?.stop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  test('a CRD is established and served within a second', async () => {
    assert.equal(await k(['apply', '-f', '-'], WIDGET_CRD), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n');
    assert.equal(await k(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n');
    const crd = JSON.parse(await k(['get', 'crd', 'widgets.example.com', '-o', 'json'])) as {
      metadata: { creationTimestamp: string };
      status: { conditions: { type: string; status: string; reason: string; lastTransitionTime: string }[]; storedVersions: string[]; acceptedNames: { plural: string } };
    };
    const established = crd.status.conditions.find((c) => c.type === 'Established')!;
    assert.deepEqual([established.status, established.reason], ['True', 'InitialNamesAccepted']);
    assert.ok(Date.parse(established.lastTransitionTime) - Date.parse(crd.metadata.creationTimestamp) <= 1000, 'established within a second');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.equal(crd.status.acceptedNames.plural, 'widgets');

    const group = JSON.parse(await k(['get', '--raw', '/apis/example.com'])) as { versions: { version: string }[]; preferredVersion: { version: string } };
    assert.deepEqual(group.versions.map((v) => v.version), ['v1', 'v1beta1']);
    assert.equal(group.preferredVersion.version, 'v1');
    const resources = await k(['api-resources', '--api-group=example.com', '--no-headers']);
    assert.match(resources, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
  });

  test('a non-structural schema is refused with 422', async () => {
    const bad = GIZMO_CRD.replace('gizmos.example.com', 'things.example.com').replace('{plural: gizmos, singular: gizmo, kind: Gizmo}', '{plural: things, singular: thing, kind: Thing}').replace('spec: {type: object, properties:', 'spec: {properties:');
    const r = await kubectl(['apply', '-f', '-'], bad);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The CustomResourceDefinition "things.example.com" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields\n');
  });

  test('custom resources are defaulted, validated and printed', async () => {
    assert.equal(await k(['apply', '-f', '-'], widget('w1', { color: 'red', replicas: 2, extra: { free: ['form'] } })), 'widget.example.com/w1 created\n');
    assert.equal(await k(['get', 'widget', 'w1', '-n', NS, '-o', 'jsonpath={.spec.size} {.spec.replicas} {.spec.extra.free[0]} {.metadata.generation}']), 'medium 2 form 1');

    const invalid = await kubectl(['apply', '-f', '-'], widget('bad', { color: 'pink', replicas: 0 }));
    assert.equal(invalid.code, 1);
    assert.equal(
      invalid.stderr,
      'The Widget "bad" is invalid: \n* spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"\n* spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1\n',
    );
    const unknown = await kubectl(['apply', '--validate=strict', '-f', '-'], widget('unk', { color: 'red', bogus: 1 }));
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"\n');

    const table = (await k(['get', 'wd', '-n', NS])).split('\n');
    assert.match(table[0]!, /^NAME\s+COLOR\s+REPLICAS\s+AGE$/);
    assert.match(table[1]!, /^w1\s+red\s+2\s+\d+s$/);
  });

  test('scale and status subresources', async () => {
    assert.equal(await k(['scale', 'widget', 'w1', '-n', NS, '--replicas=5']), 'widget.example.com/w1 scaled\n');
    assert.equal(await k(['patch', 'widget', 'w1', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":5,"selector":"app=w1"}}']), 'widget.example.com/w1 patched\n');
    assert.equal(await k(['get', 'widget', 'w1', '-n', NS, '-o', 'jsonpath={.spec.replicas} {.status.replicas} {.metadata.generation}']), '5 5 2');
    const scale = JSON.parse(await k(['get', '--raw', `/apis/example.com/v1/namespaces/${NS}/widgets/w1/scale`])) as { kind: string; spec: { replicas: number }; status: { replicas: number; selector: string } };
    assert.deepEqual([scale.kind, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['Scale', 5, 5, 'app=w1']);
    // Status written through the main resource is ignored.
    await k(['patch', 'widget', 'w1', '-n', NS, '--type=merge', '-p', '{"status":{"replicas":9}}']);
    assert.equal(await k(['get', 'widget', 'w1', '-n', NS, '-o', 'jsonpath={.status.replicas}']), '5');
  });

  test('every served version reads the same object', async () => {
    assert.equal(await k(['get', 'widgets.v1beta1.example.com', 'w1', '-n', NS, '-o', 'jsonpath={.apiVersion} {.spec.color}']), 'example.com/v1beta1 red');
    assert.equal(await k(['get', 'widgets.v1.example.com', 'w1', '-n', NS, '-o', 'jsonpath={.apiVersion}']), 'example.com/v1');
  });

  test('explain and OpenAPI v3 describe the schema', async () => {
    const explain = await k(['explain', 'widget.spec']);
    assert.match(explain, /^GROUP:\s+example\.com\nKIND:\s+Widget\nVERSION:\s+v1\n/);
    assert.match(explain, /FIELD: spec <Object>/);
    assert.match(explain, /What the widget should be\./);
    assert.match(explain, /color\t<string> -required-\n {2}enum: red, green, blue\n {4}The colour of the widget\./);
    const doc = JSON.parse(await k(['get', '--raw', '/openapi/v3/apis/example.com/v1'])) as { components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }> } };
    assert.deepEqual(doc.components.schemas['com.example.v1.Widget']?.['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
  });

  test('a cluster-scoped CRD', async () => {
    await k(['apply', '-f', '-'], GIZMO_CRD);
    await k(['wait', '--for=condition=Established', 'crd/gizmos.example.com', '--timeout=10s']);
    assert.equal(await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { level: 3 } })), 'gizmo.example.com/g1 created\n');
    assert.equal(await k(['get', 'gizmo', 'g1', '-o', 'jsonpath={.metadata.namespace}|{.spec.level}']), '|3');
    assert.match(await k(['api-resources', '--api-group=example.com', '--no-headers']), /^gizmos\s+example\.com\/v1\s+false\s+Gizmo$/m);
  });

  test('deleting a CRD removes its objects and endpoints', async () => {
    assert.equal(await k(['delete', 'crd', 'widgets.example.com']), 'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted\n');
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'k8ts-crd-cache-'));
    try {
      const r = await s.kubectl(['get', 'widgets'], { env: { KUBECACHEDIR: fresh } });
      assert.deepEqual([r.code, r.stderr], [1, 'error: the server doesn\'t have a resource type "widgets"\n']);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    // Served again, the resource starts empty: the old objects went with the definition.
    await k(['apply', '-f', '-'], WIDGET_CRD);
    await k(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s']);
    const r = await kubectl(['get', 'widgets', '-A']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'No resources found\n']);
  });

  test('CRDs and their objects are served again after a restart', async () => {
    await s.restart();
    assert.equal(await k(['get', 'gizmo', 'g1', '-o', 'jsonpath={.spec.level}']), '3');
    assert.match(await k(['get', 'crd', 'gizmos.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']), /^True$/);
  });
});
