import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { builtinScheme } from './index.js';
import { builtinProtoTags, protoSchemaLookup } from './proto-tags.js';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from '../machinery/protobuf/codec.js';
import { isUnionTags, normalizeFieldTag } from '../machinery/protobuf/tags.js';
import { type Schema, refName } from '../machinery/schema/types.js';
import { createCA, issueCertificate } from '../machinery/pki/index.js';

const scheme = builtinScheme();
const lookup = protoSchemaLookup(scheme);

/** Definitions whose protobuf layout is fixed by the codec, not by a table. */
const SPECIAL = new Set([
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
]);

function refsIn(s: Schema | undefined, out: Set<string>): void {
  if (!s) return;
  if (s.$ref) out.add(refName(s.$ref));
  for (const sub of [s.items, typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined, ...(s.allOf ?? []), ...Object.values(s.properties ?? {})]) refsIn(sub, out);
}

describe('builtin protobuf tag tables', () => {
  test('every object definition reachable from a built-in resource has field numbers for every property', () => {
    const reachable = new Set<string>();
    const queue = scheme.types().map((t) => t.definition.name);
    while (queue.length) {
      const name = queue.pop()!;
      if (reachable.has(name)) continue;
      reachable.add(name);
      const found = new Set<string>();
      refsIn(scheme.definition(name), found);
      queue.push(...found);
    }
    assert.ok(reachable.size > 300, `only ${reachable.size} definitions reachable`);
    const missing: string[] = [];
    for (const name of reachable) {
      const def = scheme.allDefinitions().get(name)!;
      if (SPECIAL.has(name) || def.type !== 'object' || !def.properties) continue;
      const tags = builtinProtoTags[name];
      if (!tags) {
        missing.push(`${name} (no table)`);
        continue;
      }
      if (isUnionTags(tags)) continue;
      const isKind = !!def['x-kubernetes-group-version-kind'] || scheme.types().some((t) => t.definition.name === name);
      for (const prop of Object.keys(def.properties)) {
        if (tags[prop] !== undefined) continue;
        // A kind's apiVersion/kind travel in the envelope, not in its message.
        if (isKind && (prop === 'apiVersion' || prop === 'kind')) continue;
        if ((prop === 'apiVersion' || prop === 'kind') && (name.endsWith('.Status') || name.endsWith('.DeleteOptions'))) continue;
        missing.push(`${name}.${prop}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('no table names a property its definition lacks, and field numbers are unique per message', () => {
    const problems: string[] = [];
    for (const [name, tags] of Object.entries(builtinProtoTags)) {
      const def = scheme.allDefinitions().get(name);
      if (!def) {
        problems.push(`${name} is not a definition`);
        continue;
      }
      if (isUnionTags(tags)) continue;
      const seen = new Set<string>();
      for (const [prop, t] of Object.entries(tags)) {
        if (!def.properties?.[prop]) problems.push(`${name}.${prop} is not a property`);
        const key = normalizeFieldTag(t).path.join('.');
        if (seen.has(key)) problems.push(`${name}: field ${key} used twice`);
        seen.add(key);
      }
    }
    assert.deepEqual(problems, []);
  });

  const roundTrips: { name: string; def: string; obj: Record<string, unknown> }[] = [
    {
      name: 'Deployment with a pod template',
      def: 'io.k8s.api.apps.v1.Deployment',
      obj: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'ns', labels: { app: 'd' }, creationTimestamp: '2024-05-06T07:08:09Z' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'd' } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
          template: {
            metadata: { labels: { app: 'd' } },
            spec: {
              containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m' } } }],
              volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'cm', configMap: { name: 'cfg', optional: false } }],
              securityContext: { runAsUser: 0, supplementalGroups: [1, 2] },
            },
          },
        },
        status: {},
      },
    },
    {
      name: 'Secret bytes and SubjectAccessReview extra',
      def: 'io.k8s.api.authorization.v1.SubjectAccessReview',
      obj: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        metadata: {},
        spec: { user: 'u', groups: ['g'], extra: { scopes: ['a', 'b'], empty: [] }, resourceAttributes: { verb: 'get', resource: 'pods' } },
        status: { allowed: true },
      },
    },
    {
      name: 'CustomResourceDefinition schema with unions and JSON',
      def: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
      obj: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'foos.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'foos', kind: 'Foo' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', additionalProperties: { type: 'string' }, default: { a: 1 } },
                    list: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-list-type': 'set' },
                    free: { type: 'object', additionalProperties: true, 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          ],
        },
        status: { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] },
      },
    },
  ];
  test('DeleteOptions decodes under any group version, as client-go sends it', () => {
    const obj = { apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'], preconditions: { uid: 'u1' } };
    const bytes = encodeKubernetesProtobuf(obj, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', lookup);
    assert.deepEqual(decodeKubernetesProtobuf(bytes, lookup).object, obj);
  });
  for (const c of roundTrips) {
    test(`round trip: ${c.name}`, () => {
      const bytes = encodeKubernetesProtobuf(c.obj, c.def, lookup);
      const back = decodeKubernetesProtobuf(bytes, lookup);
      assert.deepEqual(back.object, c.obj);
    });
  }
});

// ------------------------------------------------------------------ kubectl as the oracle

const KUBECTL = '/usr/bin/kubectl';

interface Captured {
  path: string;
  contentType: string;
  object?: Record<string, unknown>;
  error?: string;
}

const coreResources = [
  { name: 'namespaces', kind: 'Namespace', namespaced: false },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { name: 'secrets', kind: 'Secret', namespaced: true },
  { name: 'services', kind: 'Service', namespaced: true },
  { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  { name: 'pods', kind: 'Pod', namespaced: true },
];
const groupResources: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  ],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false }],
  'authentication.k8s.io/v1': [{ name: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false }],
  'authorization.k8s.io/v1': [{ name: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false }],
};

function resourceList(groupVersion: string, rs: { name: string; kind: string; namespaced: boolean }[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: rs.map((r) => ({ name: r.name, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['create', 'get', 'list', 'delete'] })),
  };
}

/** A fake API server: legacy discovery, and every POST decoded, recorded and echoed back. */
async function startFakeServer(captured: Captured[]): Promise<{ url: string; close(): Promise<void> }> {
  const ca = await createCA({ commonName: 'proto-test-ca' });
  const cert = await issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const server = https.createServer({ cert: cert.certPEM, key: cert.keyPEM }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const json = (code: number, body: unknown): void => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET') {
        if (url.pathname === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
        if (url.pathname === '/apis') {
          const groups = Object.keys(groupResources).map((gv) => {
            const [group, version] = gv.split('/') as [string, string];
            return { name: group, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
          });
          return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
        }
        if (url.pathname === '/api/v1') return json(200, resourceList('v1', coreResources));
        const gv = url.pathname.replace(/^\/apis\//, '');
        if (groupResources[gv]) return json(200, resourceList(gv, groupResources[gv]!));
        return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
      }
      const body = Buffer.concat(chunks);
      const entry: Captured = { path: url.pathname, contentType: String(req.headers['content-type'] ?? '') };
      captured.push(entry);
      try {
        const decoded = entry.contentType.startsWith('application/vnd.kubernetes.protobuf')
          ? decodeKubernetesProtobuf(new Uint8Array(body), lookup).object
          : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
        entry.object = decoded;
        const reply = structuredClone(decoded);
        if (decoded.kind === 'SelfSubjectReview') reply.status = { userInfo: { username: 'proto-user', groups: ['system:authenticated'] } };
        if (decoded.kind === 'SelfSubjectAccessReview') reply.status = { allowed: true };
        return json(201, reply);
      } catch (err) {
        entry.error = String(err);
        return json(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function runKubectl(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

type Obj = Record<string, any>;

const kubectlCases: { name: string; args: string[]; path: string; check(o: Obj): void }[] = [
  { name: 'create namespace', args: ['create', 'namespace', 'x'], path: '/api/v1/namespaces', check: (o) => assert.equal(o.metadata.name, 'x') },
  {
    name: 'create configmap',
    args: ['create', 'configmap', 'c', '--from-literal=a=b'],
    path: '/api/v1/namespaces/default/configmaps',
    check: (o) => assert.deepEqual([o.kind, o.metadata.name, o.data], ['ConfigMap', 'c', { a: 'b' }]),
  },
  {
    name: 'create secret generic',
    args: ['create', 'secret', 'generic', 's', '--from-literal=k=v'],
    path: '/api/v1/namespaces/default/secrets',
    check: (o) => assert.deepEqual([o.metadata.name, o.data], ['s', { k: 'dg==' }]),
  },
  {
    name: 'create deployment',
    args: ['create', 'deployment', 'd', '--image=nginx', '--replicas=2', '--port=80'],
    path: '/apis/apps/v1/namespaces/default/deployments',
    check: (o) => {
      assert.equal(o.apiVersion, 'apps/v1');
      assert.equal(o.spec.replicas, 2);
      assert.deepEqual(o.spec.selector, { matchLabels: { app: 'd' } });
      assert.deepEqual(o.spec.template.metadata.labels, { app: 'd' });
      const c = o.spec.template.spec.containers[0];
      assert.deepEqual([c.name, c.image, c.ports], ['nginx', 'nginx', [{ containerPort: 80 }]]);
      assert.equal('imagePullPolicy' in c, false, 'an empty non-pointer string is left out');
    },
  },
  {
    name: 'create service clusterip',
    args: ['create', 'service', 'clusterip', 's', '--tcp=80:8080'],
    path: '/api/v1/namespaces/default/services',
    check: (o) => {
      assert.equal(o.spec.type, 'ClusterIP');
      assert.deepEqual(o.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
      assert.deepEqual(o.spec.selector, { app: 's' });
    },
  },
  {
    name: 'create job',
    args: ['create', 'job', 'j', '--image=busybox'],
    path: '/apis/batch/v1/namespaces/default/jobs',
    check: (o) => {
      assert.equal(o.spec.template.spec.containers[0].image, 'busybox');
      assert.equal(o.spec.template.spec.restartPolicy, 'Never');
    },
  },
  {
    name: 'create cronjob',
    args: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *'],
    path: '/apis/batch/v1/namespaces/default/cronjobs',
    check: (o) => {
      assert.equal(o.spec.schedule, '*/1 * * * *');
      assert.equal(o.spec.jobTemplate.spec.template.spec.containers[0].image, 'busybox');
      assert.equal(o.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
    },
  },
  {
    name: 'create role',
    args: ['create', 'role', 'r', '--verb=get', '--resource=pods'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    check: (o) => assert.deepEqual(o.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
  },
  {
    name: 'create rolebinding',
    args: ['create', 'rolebinding', 'rb', '--role=r', '--user=u'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    check: (o) => {
      assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
      assert.deepEqual(o.subjects, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' }]);
    },
  },
  { name: 'create serviceaccount', args: ['create', 'serviceaccount', 'sa'], path: '/api/v1/namespaces/default/serviceaccounts', check: (o) => assert.equal(o.metadata.name, 'sa') },
  {
    name: 'create quota',
    args: ['create', 'quota', 'q', '--hard=pods=2'],
    path: '/api/v1/namespaces/default/resourcequotas',
    check: (o) => assert.deepEqual(o.spec.hard, { pods: '2' }),
  },
  {
    name: 'create priorityclass',
    args: ['create', 'priorityclass', 'p', '--value=10'],
    path: '/apis/scheduling.k8s.io/v1/priorityclasses',
    check: (o) => assert.deepEqual([o.value, 'globalDefault' in o], [10, false]),
  },
  { name: 'auth whoami', args: ['auth', 'whoami'], path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', check: (o) => assert.equal(o.kind, 'SelfSubjectReview') },
  {
    name: 'auth can-i',
    args: ['auth', 'can-i', 'get', 'pods'],
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    check: (o) => assert.deepEqual(o.spec.resourceAttributes, { namespace: 'default', verb: 'get', resource: 'pods' }),
  },
];

describe('kubectl protobuf request bodies', { skip: fs.existsSync(KUBECTL) ? false : `${KUBECTL} not installed` }, () => {
  for (const c of kubectlCases) {
    test(c.name, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-proto-'));
      const captured: Captured[] = [];
      const server = await startFakeServer(captured);
      try {
        const kubeconfig = path.join(dir, 'kubeconfig');
        fs.writeFileSync(
          kubeconfig,
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: 'c', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
            users: [{ name: 'u', user: { token: 't' } }],
            contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
            'current-context': 'c',
          }),
        );
        const env = { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig };
        const r = await runKubectl(c.args, env);
        const post = captured.find((x) => x.path === c.path);
        assert.ok(post, `no POST to ${c.path}; kubectl said: ${r.stderr}`);
        assert.equal(post.error, undefined);
        assert.match(post.contentType, /^application\/vnd\.kubernetes\.protobuf/, 'kubectl sent protobuf');
        assert.equal(r.code, 0, `kubectl failed: ${r.stderr}`);
        c.check(post.object as Obj);
      } finally {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
