import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ResourceType, Scheme } from '../../api/scheme.js';
import { def, t } from '../../api/schema/dsl.js';
import { ObjectMeta, metaDefinitions } from '../../api/meta/v1.js';
import { buildOpenAPIV2 } from './v2.js';
import { buildOpenAPIV3GroupVersion, buildOpenAPIV3Index, openAPIV3Document } from './v3.js';
import { encodeOpenAPIV2Protobuf } from './v2-protobuf.js';

const WidgetSpec = def('com.example.v1.WidgetSpec', t.object({ replicas: t.int32({ default: 1 }), color: t.enum(['red', 'blue']) }));
const Widget = def(
  'com.example.v1.Widget',
  t.object({ apiVersion: t.string(), kind: t.string(), metadata: t.ref(ObjectMeta, { description: 'Standard object metadata.' }), spec: t.ref(WidgetSpec) }),
);
const Scale = def('io.k8s.api.autoscaling.v1.Scale', t.object({ apiVersion: t.string(), kind: t.string(), spec: t.object({ replicas: t.int32() }) }), {
  'x-kubernetes-group-version-kind': [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
});
const Thing = def('io.k8s.api.core.v1.Thing', t.object({ apiVersion: t.string(), kind: t.string(), metadata: t.ref(ObjectMeta), data: t.map(t.string()) }));

const widgets: ResourceType = {
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  resource: 'widgets',
  singular: 'widget',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    { name: 'status', kind: 'Widget', verbs: ['get', 'patch', 'update'] },
    { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  ],
  definition: Widget,
};
const things: ResourceType = { group: '', version: 'v1', kind: 'Thing', resource: 'things', singular: 'thing', namespaced: false, verbs: ['get', 'list', 'patch'], definition: Thing };

function newScheme(): Scheme {
  return new Scheme([widgets, things], [...metaDefinitions, WidgetSpec, Scale]);
}

type Obj = Record<string, any>;

function allRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allRefs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref') out.push(x as string);
      else allRefs(x, out);
    }
  }
  return out;
}

const paramNames = (op: Obj): string[] => (op.parameters as Obj[]).map((p) => p.name);

describe('OpenAPI v2', () => {
  const scheme = newScheme();
  const doc = buildOpenAPIV2(scheme, { title: 'Kubernetes', version: 'v1.31.0-k8ts' }) as unknown as Obj;

  test('every $ref resolves to a definition', () => {
    const refs = allRefs(doc);
    assert.ok(refs.length > 20);
    for (const r of refs) {
      assert.match(r, /^#\/definitions\//);
      assert.ok(doc.definitions[r.slice('#/definitions/'.length)], `unresolved ${r}`);
    }
  });

  test('kinds and generated lists carry their GVK', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.definitions['com.example.v1.Widget']['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    const list = doc.definitions['com.example.v1.WidgetList'];
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'WidgetList' }]);
    assert.deepEqual(list.properties.items.items, { $ref: '#/definitions/com.example.v1.Widget' });
    assert.equal(list.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
  });

  test('a ref with a description is written as $ref with a sibling', () => {
    assert.deepEqual(doc.definitions['com.example.v1.Widget'].properties.metadata, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'Standard object metadata.' });
  });

  test('collection, item, subresource and all-namespaces paths', () => {
    const base = '/apis/example.com/v1/namespaces/{namespace}/widgets';
    assert.deepEqual(Object.keys(doc.paths[base]).sort(), ['delete', 'get', 'parameters', 'post']);
    assert.deepEqual(Object.keys(doc.paths[`${base}/{name}`]).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.equal(doc.paths[`${base}/{name}/status`].put.operationId, 'replaceExampleComV1NamespacedWidgetStatus');
    assert.deepEqual(doc.paths[`${base}/{name}/scale`].get['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.equal(doc.paths[`${base}/{name}/scale`].get.responses['200'].schema.$ref, '#/definitions/io.k8s.api.autoscaling.v1.Scale');
    assert.equal(doc.paths['/apis/example.com/v1/widgets'].get.operationId, 'listExampleComV1WidgetForAllNamespaces');
    assert.equal(doc.paths['/api/v1/things'].get.operationId, 'listCoreV1Thing');
    assert.equal(doc.paths['/api/v1/things/{name}'].put, undefined);
  });

  test('operations carry the parameters kubectl checks', () => {
    const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', kind: 'Widget', version: 'v1' });
    assert.deepEqual(paramNames(patch), ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.ok(patch.consumes.includes('application/apply-patch+yaml'));
    const create = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'].post;
    assert.deepEqual(paramNames(create), ['body', 'dryRun', 'fieldManager', 'fieldValidation']);
    assert.equal(create.parameters[0].in, 'body');
    const list = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'].get;
    assert.ok(paramNames(list).includes('watch'));
    assert.deepEqual(paramNames(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}']), ['name', 'namespace', 'pretty']);
  });

  test('cached per scheme version', () => {
    const s = newScheme();
    const a = buildOpenAPIV2(s, { title: 'K', version: '1' });
    assert.equal(buildOpenAPIV2(s, { title: 'K', version: '1' }), a);
    s.addDefinitions([['extra.Def', { type: 'string' }]]);
    const b = buildOpenAPIV2(s, { title: 'K', version: '1' });
    assert.notEqual(b, a);
    assert.ok(b.definitions['extra.Def']);
  });
});

describe('OpenAPI v3', () => {
  const scheme = newScheme();

  test('index keys and hashed URLs', () => {
    const index = buildOpenAPIV3Index(scheme);
    assert.deepEqual(Object.keys(index.paths), ['api', 'api/v1', 'apis', 'apis/example.com', 'apis/example.com/v1']);
    const url = index.paths['apis/example.com/v1']!.serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/example\.com\/v1\?hash=[0-9A-F]{128}$/);
    assert.equal(url.split('hash=')[1], openAPIV3Document(scheme, 'apis/example.com/v1')!.hash);
    assert.equal(buildOpenAPIV3Index(scheme), index);
  });

  test('group-version document: only reachable schemas, refs under components', () => {
    const doc = buildOpenAPIV3GroupVersion(scheme, 'example.com', 'v1') as Obj;
    assert.equal(doc.openapi, '3.0.0');
    const schemas = doc.components.schemas as Obj;
    for (const r of allRefs(doc)) {
      assert.match(r, /^#\/components\/schemas\//);
      assert.ok(schemas[r.slice('#/components/schemas/'.length)], `unresolved ${r}`);
    }
    assert.ok(schemas['com.example.v1.Widget']);
    assert.ok(schemas['io.k8s.api.autoscaling.v1.Scale']);
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
    assert.equal(schemas['io.k8s.api.core.v1.Thing'], undefined);
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Condition'], undefined);
    assert.deepEqual(schemas['com.example.v1.Widget']['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    assert.deepEqual(schemas['com.example.v1.Widget'].properties.metadata, { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: 'Standard object metadata.' });
  });

  test('the PATCH operation has fieldValidation and the GVK kubectl matches on', () => {
    const doc = buildOpenAPIV3GroupVersion(scheme, 'example.com', 'v1') as Obj;
    const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.deepEqual(paramNames(patch), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.deepEqual(Object.keys(patch.requestBody.content), ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+cbor']);
    assert.equal(patch.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/com.example.v1.Widget');
  });

  test('core and discovery documents', () => {
    const core = buildOpenAPIV3GroupVersion(scheme, '', 'v1') as Obj;
    assert.ok(core.paths['/api/v1/things/{name}'].patch);
    assert.ok(core.paths['/api/v1/'].get);
    const group = openAPIV3Document(scheme, 'apis/example.com')!.doc as Obj;
    assert.equal(group.paths['/apis/example.com/'].get.operationId, 'getExampleComAPIGroup');
    assert.ok((group.components as Obj).schemas['io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup']);
    assert.equal(buildOpenAPIV3GroupVersion(scheme, 'nope', 'v1'), undefined);
    assert.equal(openAPIV3Document(scheme, 'apis/nope'), undefined);
  });

  test('a scheme change gives new hashes', () => {
    const s = newScheme();
    const before = buildOpenAPIV3Index(s).paths['api/v1']!.serverRelativeURL;
    s.addType({ ...things, kind: 'Other', resource: 'others', singular: 'other', definition: def('io.k8s.api.core.v1.Other', t.object({ a: t.string() })) });
    const after = buildOpenAPIV3Index(s).paths['api/v1']!.serverRelativeURL;
    assert.notEqual(after, before);
  });
});

/** A generic protobuf reader: field number -> list of raw values (varint as bigint, bytes as Uint8Array). */
function decode(buf: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const out = new Map<number, (bigint | Uint8Array)[]>();
  let i = 0;
  const varint = (): bigint => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    let v: bigint | Uint8Array;
    switch (tag & 7) {
      case 0:
        v = varint();
        break;
      case 1:
        v = buf.subarray(i, i + 8);
        i += 8;
        break;
      case 2: {
        const len = Number(varint());
        v = buf.subarray(i, i + len);
        i += len;
        break;
      }
      default:
        throw new Error(`unexpected wire type ${tag & 7}`);
    }
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}
const text = (b: bigint | Uint8Array | undefined): string => Buffer.from(b as Uint8Array).toString('utf8');
const msg = (m: Map<number, (bigint | Uint8Array)[]>, f: number): Map<number, (bigint | Uint8Array)[]> => decode(m.get(f)![0] as Uint8Array);
const msgs = (m: Map<number, (bigint | Uint8Array)[]>, f: number): Map<number, (bigint | Uint8Array)[]>[] => (m.get(f) ?? []).map((b) => decode(b as Uint8Array));

describe('OpenAPI v2 protobuf', () => {
  const doc = buildOpenAPIV2(newScheme(), { title: 'Kubernetes', version: 'v1.31.0' });
  const top = decode(encodeOpenAPIV2Protobuf(doc));

  test('document header and path names round-trip', () => {
    assert.equal(text(top.get(1)![0]), '2.0');
    assert.equal(text(msg(top, 2).get(1)![0]), 'Kubernetes');
    const names = msgs(msg(top, 8), 2).map((p) => text(p.get(1)![0]));
    assert.deepEqual(names, Object.keys(doc.paths));
  });

  test('the PATCH operation exposes fieldValidation as a query parameter and the GVK extension', () => {
    const item = msgs(msg(top, 8), 2).find((p) => text(p.get(1)![0]) === '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}')!;
    const patch = msg(msg(item, 2), 8);
    assert.equal(text(patch.get(5)![0]), 'patchExampleComV1NamespacedWidget');
    const queryNames = msgs(patch, 8)
      .map((pi) => msg(pi, 1))
      .filter((p) => p.has(2))
      .map((p) => msg(msg(p, 2), 3))
      .map((q) => text(q.get(4)![0]));
    assert.deepEqual(queryNames, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    const body = msg(msg(msgs(patch, 8)[0]!, 1), 1);
    assert.equal(text(body.get(3)![0]), 'body');
    const ext = msgs(patch, 13).map((e) => [text(e.get(1)![0]), text(msg(e, 2).get(2)![0])]);
    const gvk = ext.find(([k]) => k === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(JSON.parse(gvk[1]!), { group: 'example.com', kind: 'Widget', version: 'v1' });
  });

  test('definitions keep properties, types, refs, defaults and extensions', () => {
    const defs = msgs(msg(top, 9), 1);
    assert.equal(defs.length, Object.keys(doc.definitions).length);
    const spec = msg(defs.find((d) => text(d.get(1)![0]) === 'com.example.v1.WidgetSpec')!, 2);
    assert.equal(text(msg(spec, 22).get(1)![0]), 'object');
    const props = msgs(msg(spec, 25), 1);
    const replicas = msg(props.find((p) => text(p.get(1)![0]) === 'replicas')!, 2);
    assert.equal(text(replicas.get(2)![0]), 'int32');
    assert.equal(text(msg(replicas, 5).get(2)![0]).trim(), '1');
    const color = msg(props.find((p) => text(p.get(1)![0]) === 'color')!, 2);
    assert.deepEqual(msgs(color, 20).map((a) => JSON.parse(text(a.get(2)![0]))), ['red', 'blue']);
    const meta = msg(defs.find((d) => text(d.get(1)![0]) === 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!, 2);
    const owners = msg(msgs(msg(meta, 25), 1).find((p) => text(p.get(1)![0]) === 'ownerReferences')!, 2);
    const items = msg(msg(owners, 23), 1);
    assert.equal(text(items.get(1)![0]), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference');
    const exts = Object.fromEntries(msgs(owners, 31).map((e) => [text(e.get(1)![0]), JSON.parse(text(msg(e, 2).get(2)![0]))]));
    assert.equal(exts['x-kubernetes-patch-merge-key'], 'uid');
    assert.deepEqual(exts['x-kubernetes-list-map-keys'], ['uid']);
    const labels = msg(msgs(msg(meta, 25), 1).find((p) => text(p.get(1)![0]) === 'labels')!, 2);
    const ap = msg(labels, 21);
    assert.equal(text(msg(msg(ap, 1), 22).get(1)![0]), 'string');
  });
});
