/**
 * `kubectl apply` in its everyday forms through the real kubectl: files,
 * multi-document files, directories, kustomize, client- and server-side apply
 * with conflicts, diff and server dry-run, and public example manifests.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { readAdminCredentials, requestJSON } from './https-client.js';
import { ensureNamespace, pollUntil, tempDir, waitForNamespaceDefaults } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const examples = path.resolve(repoRoot, '..', 'shared', 'acceptance', 'examples');
const noExamples = existsSync(examples) ? false : `public example manifests not found at ${examples}`;

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  a: "${value}"
`;

const deploymentYaml = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

describe('kubectl apply', { skip }, () => {
  let s: TestServer;
  let tmp: ReturnType<typeof tempDir>;
  const file = (rel: string, text: string): string => {
    const p = path.join(tmp.dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    s = await TestServer.start();
    tmp = tempDir('k8ts-e2e-apply-');
  });
  after(async () => {
    await s?.stop();
    tmp?.dispose();
  });

  test('apply -f: created, unchanged on re-apply, configured when a field changes', async () => {
    await ensureNamespace(s, 'ap-file');
    const f = file('one.yaml', configMap('one', '1'));
    assert.equal(await s.k(['apply', '-n', 'ap-file', '-f', f]), 'configmap/one created\n');
    assert.equal(await s.k(['apply', '-n', 'ap-file', '-f', f]), 'configmap/one unchanged\n');
    file('one.yaml', configMap('one', '2'));
    assert.equal(await s.k(['apply', '-n', 'ap-file', '-f', f]), 'configmap/one configured\n');
    assert.equal(await s.k(['get', 'cm', 'one', '-n', 'ap-file', '-o', 'jsonpath={.data.a}']), '2');
    const last = await s.k(['get', 'cm', 'one', '-n', 'ap-file', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']);
    assert.deepEqual((JSON.parse(last) as { data: unknown }).data, { a: '2' });
  });

  test('apply -f of a multi-document file applies every document in order', async () => {
    await ensureNamespace(s, 'ap-multi');
    const f = file('multi.yaml', `${configMap('m1', '1')}---\n${deploymentYaml('web', 2)}`);
    assert.equal(await s.k(['apply', '-n', 'ap-multi', '-f', f]), 'configmap/m1 created\ndeployment.apps/web created\n');
    assert.equal(await s.k(['apply', '-n', 'ap-multi', '-f', f]), 'configmap/m1 unchanged\ndeployment.apps/web unchanged\n');
    assert.equal(await s.k(['get', 'deploy', 'web', '-n', 'ap-multi', '-o', 'jsonpath={.spec.replicas}']), '2');
  });

  test('apply -f of a directory takes its files; -R descends into subdirectories', async () => {
    await ensureNamespace(s, 'ap-dir');
    await waitForNamespaceDefaults(s, 'ap-dir');
    file('tree/a.yaml', configMap('top', '1'));
    file('tree/sub/b.yaml', configMap('nested', '1'));
    file('tree/sub/deeper/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deepest' } }));
    const dir = path.join(tmp.dir, 'tree');
    assert.equal(await s.k(['apply', '-n', 'ap-dir', '-f', dir]), 'configmap/top created\n');
    assert.equal(await s.k(['get', 'cm', '-n', 'ap-dir', '-o', 'name']), 'configmap/kube-root-ca.crt\nconfigmap/top\n');
    assert.equal(await s.k(['apply', '-n', 'ap-dir', '-R', '-f', dir]), 'configmap/top unchanged\nconfigmap/nested created\nconfigmap/deepest created\n');
    assert.equal(await s.k(['get', 'cm', '-n', 'ap-dir', '-o', 'name']), 'configmap/deepest\nconfigmap/kube-root-ca.crt\nconfigmap/nested\nconfigmap/top\n');
  });

  test('apply --server-side: serverside-applied, conflict with kubectl scale, --force-conflicts', async () => {
    await ensureNamespace(s, 'ap-ssa');
    const f2 = file('ssa-2.yaml', deploymentYaml('ssa', 2));
    const f3 = file('ssa-3.yaml', deploymentYaml('ssa', 3));
    assert.equal(await s.k(['apply', '--server-side', '-n', 'ap-ssa', '-f', f2]), 'deployment.apps/ssa serverside-applied\n');
    // The applier owns the object; the deployment controller, once it reports, owns only status.
    const managers = await pollUntil('the deployment controller to write status', async () => {
      const fields = JSON.parse(await s.k(['get', 'deploy', 'ssa', '-n', 'ap-ssa', '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields'])) as { manager: string; operation: string; subresource?: string }[];
      return fields.length > 1 ? fields : undefined;
    });
    assert.deepEqual(
      managers.map((m) => [m.manager, m.operation, m.subresource]),
      [
        ['kubectl', 'Apply', undefined],
        ['kube-controller-manager', 'Update', 'status'],
      ],
    );

    assert.equal(await s.k(['scale', 'deploy', 'ssa', '-n', 'ap-ssa', '--replicas=5']), 'deployment.apps/ssa scaled\n');
    const conflict = await s.kubectl(['apply', '--server-side', '-n', 'ap-ssa', '-f', f3]);
    assert.equal(conflict.code, 1);
    assert.equal(conflict.stdout, '');
    assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas\n/);
    assert.match(conflict.stderr, /re-run the apply\n {2}command with the `--force-conflicts` flag\./);
    assert.equal(await s.k(['get', 'deploy', 'ssa', '-n', 'ap-ssa', '-o', 'jsonpath={.spec.replicas}']), '5');

    assert.equal(await s.k(['apply', '--server-side', '--force-conflicts', '-n', 'ap-ssa', '-f', f3]), 'deployment.apps/ssa serverside-applied\n');
    assert.equal(await s.k(['get', 'deploy', 'ssa', '-n', 'ap-ssa', '-o', 'jsonpath={.spec.replicas}']), '3');
    // The same configuration again is not a conflict any more: the applier owns replicas.
    assert.equal(await s.k(['apply', '--server-side', '-n', 'ap-ssa', '-f', f3]), 'deployment.apps/ssa serverside-applied\n');
  });

  test('apply --server-side of a configuration that cannot be typed, or carries managedFields, is refused as upstream', async () => {
    await ensureNamespace(s, 'ap-ssa-bad');
    const keyless = file('ssa-keyless.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: keyless\nspec:\n  containers:\n  - image: nginx\n');
    const r = await s.kubectl(['apply', '--server-side', '-n', 'ap-ssa-bad', '-f', keyless]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'Error from server: failed to create typed patch object (ap-ssa-bad/keyless; /v1, Kind=Pod): .spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)\n',
    );
    // kubectl drops managedFields from what it applies; a client that sends them gets a 400.
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'with-mf', managedFields: [{ manager: 'x', operation: 'Apply' }] } });
    const raw = await requestJSON<{ code: number; reason?: string; message: string }>(readAdminCredentials(s.kubeconfig), '/api/v1/namespaces/ap-ssa-bad/configmaps/with-mf?fieldManager=x', {
      method: 'PATCH',
      body: cm,
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    assert.deepEqual([raw.status, raw.body.reason, raw.body.message], [400, 'BadRequest', 'metadata.managedFields must be nil']);
    assert.equal((await s.kubectl(['get', 'pod', 'keyless', '-n', 'ap-ssa-bad'])).code, 1);
  });

  test('diff exits 0 when live matches, 1 with a unified diff when it does not', async () => {
    await ensureNamespace(s, 'ap-diff');
    const f = file('diff.yaml', deploymentYaml('d', 2));
    await s.k(['apply', '-n', 'ap-diff', '-f', f]);
    // diff compares the live object with a dry run of the apply: wait until the deployment
    // controller has reported both replicas, so status does not change between the two reads.
    await pollUntil('the deployment controller to report d', async () => {
      const out = await s.k(['get', 'deploy', 'd', '-n', 'ap-diff', '-o', 'jsonpath={.metadata.generation} {.status.observedGeneration} {.status.replicas} {.status.updatedReplicas}']);
      return out === '1 1 2 2' ? true : undefined;
    });
    const same = await s.kubectl(['diff', '-n', 'ap-diff', '-f', f]);
    assert.deepEqual([same.code, same.stdout, same.stderr], [0, '', '']);

    file('diff.yaml', deploymentYaml('d', 4));
    const changed = await s.kubectl(['diff', '-n', 'ap-diff', '-f', f]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^diff -u -N .*apps\.v1\.Deployment\.ap-diff\.d /m);
    assert.match(changed.stdout, /^- {2}replicas: 2$/m);
    assert.match(changed.stdout, /^\+ {2}replicas: 4$/m);
    assert.match(changed.stdout, /^- {2}generation: 1$/m);
    assert.match(changed.stdout, /^\+ {2}generation: 2$/m);
    // diff is a dry run: nothing changed on the server.
    assert.equal(await s.k(['get', 'deploy', 'd', '-n', 'ap-diff', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '2 1');
  });

  test('--dry-run=server validates and reports but stores nothing', async () => {
    await ensureNamespace(s, 'ap-dry');
    const f = file('dry.yaml', configMap('dry', '1'));
    assert.equal(await s.k(['apply', '--dry-run=server', '-n', 'ap-dry', '-f', f]), 'configmap/dry created (server dry run)\n');
    const r = await s.kubectl(['get', 'cm', 'dry', '-n', 'ap-dry']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error from server (NotFound): configmaps "dry" not found\n']);

    const bad = file('dry-bad.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n`);
    const invalid = await s.kubectl(['apply', '--dry-run=server', '-n', 'ap-dry', '-f', bad]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /The ConfigMap "Not_Valid" is invalid: metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
  });

  test('apply -k of a kustomize overlay (namespace, name prefix, labels, generator)', async () => {
    await ensureNamespace(s, 'ap-kz');
    file('kz/base/res.yaml', `${configMap('settings', '1')}---\n${deploymentYaml('web', 1)}`);
    file('kz/base/kustomization.yaml', 'resources:\n- res.yaml\n');
    file(
      'kz/overlay/kustomization.yaml',
      `namespace: ap-kz
namePrefix: dev-
labels:
- pairs:
    env: dev
  includeSelectors: true
resources:
- ../base
configMapGenerator:
- name: gen
  literals:
  - k=v
`,
    );
    const overlay = path.join(tmp.dir, 'kz', 'overlay');
    const out = await s.k(['apply', '-k', overlay]);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 3, out);
    assert.match(lines[0]!, /^configmap\/dev-gen-[a-z0-9]{10} created$/);
    assert.deepEqual(lines.slice(1), ['configmap/dev-settings created', 'deployment.apps/dev-web created']);
    assert.equal(await s.k(['get', 'deploy', '-n', 'ap-kz', '-l', 'env=dev', '-o', 'jsonpath={.items[*].spec.selector.matchLabels}']), '{"app":"web","env":"dev"}');
    const again = await s.k(['apply', '-k', overlay]);
    assert.equal(again.split('\n').filter((l) => l.endsWith(' unchanged')).length, 3, again);
  });

  test('apply -k of the podinfo kustomize example and its overlays', { skip: noExamples }, async () => {
    const podinfo = path.join(examples, 'podinfo');
    await ensureNamespace(s, 'ap-podinfo');
    assert.equal(
      await s.k(['apply', '-n', 'ap-podinfo', '-k', path.join(podinfo, 'kustomize')]),
      'service/podinfo created\ndeployment.apps/podinfo created\nhorizontalpodautoscaler.autoscaling/podinfo created\n',
    );
    for (const overlay of ['dev', 'staging', 'production']) {
      const dir = path.join(podinfo, 'deploy', 'overlays', overlay);
      const out = await s.k(['apply', '-k', dir]);
      assert.match(out, new RegExp(`^namespace/${overlay} created$`, 'm'));
      for (const line of ['statefulset.apps/database-primary created', 'cronjob.batch/backup-daily created', 'persistentvolumeclaim/database-primary created', 'horizontalpodautoscaler.autoscaling/frontend created']) {
        assert.ok(out.includes(`${line}\n`), `${overlay}: missing "${line}" in:\n${out}`);
      }
      assert.equal(await s.k(['get', 'deploy', '-n', overlay, '-o', 'name']), 'deployment.apps/backend\ndeployment.apps/cache\ndeployment.apps/database-replica\ndeployment.apps/frontend\n');
      const again = await s.k(['apply', '-k', dir]);
      assert.deepEqual(
        again.trimEnd().split('\n').filter((l) => !l.endsWith(' unchanged')),
        [],
        `${overlay}: re-apply changed something`,
      );
    }
  });

  describe('public example manifests with validation on', { skip: noExamples }, () => {
    // `configured` lists what upstream re-patches on every apply: a StatefulSet's
    // volumeClaimTemplates is an atomic list the server fills with defaults, so
    // kubectl's three-way merge never finds it equal to the manifest.
    const cases: { name: string; ns: string; paths: string[]; expect: string[]; configured?: string[] }[] = [
      {
        name: 'guestbook',
        ns: 'ex-guestbook',
        paths: ['web/guestbook'],
        expect: ['deployment.apps/frontend', 'deployment.apps/redis-master', 'deployment.apps/redis-replica', 'service/frontend', 'service/redis-master', 'service/redis-replica'],
      },
      {
        name: 'guestbook all-in-one',
        ns: 'ex-guestbook-aio',
        paths: ['web/guestbook/all-in-one/guestbook-all-in-one.yaml'],
        expect: ['deployment.apps/frontend', 'deployment.apps/redis-master', 'deployment.apps/redis-replica', 'service/frontend', 'service/redis-master', 'service/redis-replica'],
      },
      {
        name: 'guestbook-go',
        ns: 'ex-guestbook-go',
        paths: ['web/guestbook-go'],
        expect: ['deployment.apps/redis-master', 'replicationcontroller/guestbook', 'replicationcontroller/redis-replica', 'service/guestbook', 'service/redis-master', 'service/redis-replica'],
      },
      { name: 'cassandra', ns: 'ex-cassandra', paths: ['databases/cassandra'], expect: ['service/cassandra', 'statefulset.apps/cassandra', 'storageclass.storage.k8s.io/fast'], configured: ['statefulset.apps/cassandra'] },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        await ensureNamespace(s, c.ns);
        const args = ['apply', '--validate=strict', '-n', c.ns, ...c.paths.flatMap((p) => ['-f', path.join(examples, p)])];
        const r = await s.kubectl(args);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        const applied = r.stdout
          .trimEnd()
          .split('\n')
          .map((l) => l.replace(/ (created|unchanged|configured)$/, ''))
          .sort();
        assert.deepEqual(applied, [...c.expect].sort());
        const again = await s.k(args);
        const want = c.expect.map((o) => `${o} ${c.configured?.includes(o) ? 'configured' : 'unchanged'}`).sort();
        assert.deepEqual(again.trimEnd().split('\n').sort(), want);
      });
    }
  });
});
