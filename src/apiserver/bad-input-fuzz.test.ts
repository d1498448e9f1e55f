/**
 * Random bodies of every built-in kind, shaped by its schema and bent out of
 * it, sent as creates, then as merge, strategic merge, apply and JSON patches,
 * as replacements of what was created (object and status) and to the
 * subresources that take a body (scale, binding, eviction): whatever the
 * body, the answer is a Kubernetes Status with a 4xx code or a success,
 * never an unexpected 5xx. A failure names the kind, the seed and the body.
 * FUZZ_PER_KIND (default 12) and FUZZ_SEED (the first seed, default 0) widen
 * the search when run by hand; FUZZ_VERBOSE prints answers by request and code.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import { builtinScheme } from '../api/index.js';
import { Scheme } from '../api/scheme.js';
import { type Schema, refTo } from '../machinery/schema/types.js';
import { type TestAPIServer, startTestAPIServer } from '../testing/api-server.js';
import { RandomObjects, seededRandom } from '../testing/random-objects.js';

let s: TestAPIServer;
let agent: https.Agent;

before(async () => {
  s = await startTestAPIServer();
  agent = new https.Agent({ keepAlive: true, ca: s.credentials.caPEM, cert: s.credentials.certPEM, key: s.credentials.keyPEM });
  assert.equal((await send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } }))).status, 201);
});

after(async () => {
  agent.destroy();
  await s.stop();
});

function send(method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const u = new URL(s.url + path);
  return new Promise((resolve, reject) => {
    const req = https.request({ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Whether an answer is a failure: an unexpected 5xx, or an error that is not a Status. Upstream's own
 * 5xx answers are not: its untyped errors (500 without a reason: a create naming a resourceVersion, a
 * strategic merge its merge cannot apply, apply typing failures) and 504 for a resourceVersion no write
 * has reached. A failure of the server's own making is a 500 InternalError.
 */
function failureOf(r: { status: number; text: string }): string | undefined {
  if (r.status < 400 && r.status !== 0) return undefined;
  let status: { kind?: string; code?: number; reason?: string; details?: { causes?: { reason?: string }[] } };
  try {
    status = JSON.parse(r.text) as typeof status;
  } catch {
    return `${r.status} is not JSON: ${r.text.slice(0, 200)}`;
  }
  if (status.kind !== 'Status' || status.code !== r.status) return `${r.status} is not a Status: ${r.text.slice(0, 200)}`;
  if (r.status < 500) return undefined;
  if (r.status === 500 && status.reason === undefined) return undefined;
  if (r.status === 504 && status.details?.causes?.[0]?.reason === 'ResourceVersionTooLarge') return undefined;
  return `${r.status} ${r.text.slice(0, 300)}`;
}

/** Random JSON patch operations, some aimed at the object's own paths. */
function jsonPatch(gen: RandomObjects, target: unknown): unknown[] {
  const paths = ['/metadata/labels/a', '/spec', '/metadata/name', '/spec/0', '/status/-', '', '/', '/~2', '/metadata/annotations/x~1y'];
  if (target && typeof target === 'object' && !Array.isArray(target)) {
    for (const [k, v] of Object.entries(target)) {
      paths.push(`/${k}`);
      if (v && typeof v === 'object') for (const c of Object.keys(v)) paths.push(`/${k}/${c}`, `/${k}/${c}/0`, `/${k}/${c}/-`);
    }
  }
  const op = (): Record<string, unknown> => {
    const o: Record<string, unknown> = { op: gen.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'merge', '']), path: gen.pick(paths) };
    if (gen.chance(0.7)) o.value = gen.wild();
    if (gen.chance(0.3)) o.from = gen.pick(paths);
    if (gen.chance(0.05)) delete o.path;
    return o;
  };
  return Array.from({ length: 1 + Math.floor(gen.chance(0.5) ? 1 : 4) }, op);
}

const podSpec = { containers: [{ name: 'c', image: 'busybox' }] };
const template = { metadata: { labels: { app: 'f' } }, spec: podSpec };
const selector = { matchLabels: { app: 'f' } };
/** Valid objects to aim random writes at: random creates seldom make a valid pod or workload. */
const FIXTURES: Record<string, Record<string, unknown>> = {
  Pod: { spec: podSpec },
  Deployment: { spec: { selector, template } },
  ReplicaSet: { spec: { selector, template } },
  StatefulSet: { spec: { selector, template, serviceName: 'f' } },
  DaemonSet: { spec: { selector, template } },
  ReplicationController: { spec: { selector: { app: 'f' }, template } },
  Job: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
  CronJob: { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } } } },
  Service: { spec: { ports: [{ port: 80 }], selector: { app: 'f' } } },
  ServiceAccount: {},
  ConfigMap: { data: { a: 'b' } },
  PersistentVolumeClaim: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  Node: {},
  HorizontalPodAutoscaler: { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'f' }, maxReplicas: 3 } },
};

/** Kinds a client creates: no reviews (answered, not stored) and no namespaces (cleanup would take a controller). */
const SKIPPED = new Set(['Namespace', 'TokenReview', 'SelfSubjectReview', 'SubjectAccessReview', 'SelfSubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview']);

test('random bodies of every built-in kind never get a 5xx, as creates or as patches', { timeout: 240_000 }, async () => {
  const scheme = builtinScheme();
  const failures: string[] = [];
  let requests = 0;
  let created = 0;
  let seed = Number(process.env.FUZZ_SEED ?? 0);
  const tally = new Map<string, number>();
  const check = (what: string, r: { status: number; text: string }, body: string): void => {
    requests++;
    const bucket = `${what.split(' seed ')[0]!.split(' ').slice(0, -1).join(' ')} ${r.status}`;
    tally.set(bucket, (tally.get(bucket) ?? 0) + 1);
    const failure = failureOf(r);
    if (failure) failures.push(`${what}: ${failure}\n    body: ${body.slice(0, 600)}`);
  };
  for (const rt of scheme.types()) {
    if (SKIPPED.has(rt.kind) || !rt.verbs.includes('create')) continue;
    const base = `${rt.group ? `/apis/${rt.group}` : '/api'}/${rt.version}${rt.namespaced ? '/namespaces/fuzz' : ''}/${rt.resource}`;
    const schema = Scheme.refOf(rt);
    const fixture = FIXTURES[rt.kind];
    if (fixture) {
      const body = JSON.stringify({ ...fixture, apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind, metadata: { name: `base-${rt.version}`, labels: { app: 'f' } } });
      const r = await send('POST', base, body);
      assert.equal(r.status, 201, `${rt.kind} fixture: ${r.text}`);
    }
    for (let i = 0; i < Number(process.env.FUZZ_PER_KIND ?? 12); i++) {
      seed++;
      const gen = new RandomObjects(seededRandom(seed), scheme);
      // Every other round aims its writes at the valid fixture instead of a random create.
      const atFixture = !!fixture && i % 2 === 1;
      const body = gen.value(schema);
      const name = atFixture ? `base-${rt.version}` : `f${seed}`;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const o = body as Record<string, unknown>;
        o.apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
        o.kind = rt.kind;
        // Most bodies carry a valid name, so validation gets past it to the rest of the object.
        if (gen.chance(0.8)) o.metadata = { ...(o.metadata && typeof o.metadata === 'object' ? o.metadata : {}), name, namespace: rt.namespaced ? 'fuzz' : undefined, resourceVersion: undefined, generateName: undefined };
      }
      if (!atFixture) {
        const text = JSON.stringify(body);
        const r = await send('POST', base, text);
        check(`create ${rt.kind} seed ${seed}`, r, text);
        if (r.status !== 201) continue;
        created++;
      }
      // The stored object then takes random patches of both kinds.
      const patch = JSON.stringify(gen.value(schema));
      check(`merge patch ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}`, patch, 'application/merge-patch+json'), patch);
      check(`strategic merge patch ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}`, patch, 'application/strategic-merge-patch+json'), patch);
      // A server-side apply and a replace with another random body of the kind.
      const other = gen.value(schema);
      if (other && typeof other === 'object' && !Array.isArray(other)) {
        const o = other as Record<string, unknown>;
        o.apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
        o.kind = rt.kind;
        o.metadata = { ...(o.metadata && typeof o.metadata === 'object' ? o.metadata : {}), name, namespace: rt.namespaced ? 'fuzz' : undefined, resourceVersion: undefined };
      }
      const applied = JSON.stringify(other);
      check(`apply ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}?fieldManager=fuzz&force=${gen.chance(0.5)}`, applied, 'application/apply-patch+yaml'), applied);
      check(`replace ${rt.kind} seed ${seed}`, await send('PUT', `${base}/${name}`, applied), applied);
      if (rt.subresources?.some((sr) => sr.name === 'status')) check(`replace status ${rt.kind} seed ${seed}`, await send('PUT', `${base}/${name}/status`, applied), applied);
      const ops = JSON.stringify(jsonPatch(gen, other));
      check(`json patch ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}`, ops, 'application/json-patch+json'), ops);
      // Subresources that take a body of their own kind (scale, binding, eviction).
      for (const sr of rt.subresources ?? []) {
        if (!sr.kind || sr.name === 'status') continue;
        const method = sr.verbs.includes('create') ? 'POST' : sr.verbs.includes('update') ? 'PUT' : undefined;
        const def = method && scheme.definitionForKind(sr.group ?? rt.group, sr.version ?? rt.version, sr.kind);
        if (!def) continue;
        const sub = gen.value(refTo(def));
        if (sub && typeof sub === 'object' && !Array.isArray(sub) && gen.chance(0.8)) {
          const o = sub as Record<string, unknown>;
          o.metadata = { ...(o.metadata && typeof o.metadata === 'object' ? o.metadata : {}), name, namespace: rt.namespaced ? 'fuzz' : undefined };
        }
        const subText = JSON.stringify(sub);
        check(`${sr.name} ${rt.kind} seed ${seed}`, await send(method!, `${base}/${name}/${sr.name}`, subText), subText);
      }
    }
  }
  if (process.env.FUZZ_VERBOSE) console.log([...tally].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed:\n  ${failures.slice(0, 8).join('\n  ')}`);
  // The bodies must reach deep enough to matter: some creates succeed.
  assert.ok(created > 20, `only ${created} creates succeeded`);
  assert.ok(requests > 500, `only ${requests} requests`);
});

const QUERY_VALUES = ['', 'x', '0', '-1', '1', '9999999', '999999999999999999999', 'a=b', 'a!=b,c', 'a in (x,y)', '!a', 'a in (', 'metadata.name=x', 'spec.nodeName!=', 'status.phase=Running', 'bogus=1', '%ZZ', 'true', 'Exact', 'NotOlderThan', 'é', 'x'.repeat(300)];
const QUERY_NAMES = ['labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'limit', 'continue', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'pretty', 'watch', 'dryRun', 'fieldManager', 'fieldValidation', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'force'];

test('random query parameters on lists, watches, gets and deletes never get an unexpected 5xx', { timeout: 240_000 }, async () => {
  const scheme = builtinScheme();
  const r = seededRandom(Number(process.env.FUZZ_SEED ?? 0) + 7);
  const gen = new RandomObjects(r, scheme);
  const failures: string[] = [];
  let requests = 0;
  for (const rt of scheme.types()) {
    if (!rt.verbs.includes('list')) continue;
    const base = `${rt.group ? `/apis/${rt.group}` : '/api'}/${rt.version}${rt.namespaced ? '/namespaces/fuzz' : ''}/${rt.resource}`;
    for (let i = 0; i < Number(process.env.FUZZ_PER_KIND ?? 12); i++) {
      const q = new URLSearchParams();
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) q.append(gen.pick(QUERY_NAMES), gen.pick(QUERY_VALUES));
      // A watch that is accepted must end on its own.
      if (q.get('watch') === 'true' || q.get('watch') === '1') q.set('timeoutSeconds', '1');
      const method = gen.pick(['GET', 'GET', 'GET', 'DELETE']);
      const path = gen.chance(0.3) ? `${base}/base-${rt.version}` : base;
      const url = `${path}?${q.toString().replace(/%25ZZ/g, '%ZZ')}`;
      const res = await send(method, url, method === 'DELETE' && gen.chance(0.5) ? JSON.stringify(gen.value(undefined)) : '');
      requests++;
      const failure = failureOf(res);
      if (failure) failures.push(`${method} ${url}: ${failure}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed:\n  ${failures.slice(0, 8).join('\n  ')}`);
});

/** A custom resource schema using most of what structural schemas allow. */
const WIDGET_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 0, maximum: 100, default: 1 },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 10 },
        mode: { type: 'string', enum: ['fast', 'slow'] },
        ratio: { type: 'number', multipleOf: 0.5, nullable: true },
        port: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 5 },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name', 'protocol'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 4 },
        settings: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string' }, b: { type: 'boolean', default: false } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        nested: { type: 'object', properties: { deep: { type: 'object', properties: { deeper: { type: 'array', items: { type: 'array', items: { type: 'integer' } } } } } } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' }, count: { type: 'integer', format: 'int32' } } },
  },
};

test('random custom resources never get an unexpected 5xx', { timeout: 240_000 }, async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.fuzz.example.com' },
    spec: {
      group: 'fuzz.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: WIDGET_SCHEMA }, subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.count' } } }],
    },
  };
  assert.equal((await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd))).status, 201);
  const base = '/apis/fuzz.example.com/v1/namespaces/fuzz/widgets';
  for (let i = 0; (await send('GET', base, '')).status !== 200; i++) {
    assert.ok(i < 100, 'the CRD is served');
    await new Promise((r) => setTimeout(r, 50));
  }
  const resolver = { resolveRef: () => undefined };
  const failures: string[] = [];
  let requests = 0;
  let created = 0;
  const check = (what: string, r: { status: number; text: string }, body: string): void => {
    requests++;
    const failure = failureOf(r);
    if (failure) failures.push(`${what}: ${failure}\n    body: ${body.slice(0, 600)}`);
  };
  const body = (gen: RandomObjects, name: string): string => {
    const v = gen.value(WIDGET_SCHEMA as Schema);
    if (v && typeof v === 'object' && !Array.isArray(v) && gen.chance(0.9)) {
      const o = v as Record<string, unknown>;
      o.apiVersion = 'fuzz.example.com/v1';
      o.kind = 'Widget';
      o.metadata = { name };
    }
    return JSON.stringify(v);
  };
  for (let i = 0; i < Number(process.env.FUZZ_PER_KIND ?? 12) * 10; i++) {
    const seed = Number(process.env.FUZZ_SEED ?? 0) + 50_000 + i;
    const gen = new RandomObjects(seededRandom(seed), resolver, { nulls: 0.06, wild: 0.06 });
    const name = `w${seed}`;
    const b = body(gen, name);
    const r = await send('POST', base, b);
    check(`create seed ${seed}`, r, b);
    if (r.status !== 201) continue;
    created++;
    for (const [method, sub, type] of [['PATCH', '', 'application/merge-patch+json'], ['PATCH', '', 'application/apply-patch+yaml'], ['PUT', '', 'application/json'], ['PUT', '/status', 'application/json'], ['PATCH', '/status', 'application/merge-patch+json']] as const) {
      const next = body(gen, name);
      const q = type.startsWith('application/apply') ? '?fieldManager=fuzz' : '';
      check(`${method} ${type}${sub} seed ${seed}`, await send(method, `${base}/${name}${sub}${q}`, next, type), next);
    }
    const scale = JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name }, spec: { replicas: gen.pick([0, 3, -1, 1.5, 'x', null]) } });
    check(`scale seed ${seed}`, await send('PUT', `${base}/${name}/scale`, scale), scale);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed:\n  ${failures.slice(0, 8).join('\n  ')}`);
  assert.ok(created > 10, `only ${created} custom resources were created`);
});
