/**
 * `kubectl get` through the real kubectl: every output format, sorting,
 * label columns, selectors (and the upstream error for a field a kind cannot
 * be selected by), chunked lists, `get all`, and watches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { BackgroundKubectl, applyObjects, deployment, ensureNamespace, parseTable, pollUntil, waitForNamespaceDefaults } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';
const NS = 'get-e2e';
const AGE = /^\d+s$|^\d+m\d*s?$/;

/** c1..c7: tier alternates t1/t0, data.k counts down so sorting by it reverses the names. */
const configMaps = [1, 2, 3, 4, 5, 6, 7].map((i) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `c${i}`, labels: { tier: `t${i % 2}`, idx: String(i) } },
  data: { k: String(8 - i) },
}));
const names = configMaps.map((c) => c.metadata.name);
/** The whole namespace: ours, and the CA bundle the root CA publisher puts in every namespace. */
const listed = [...names, 'kube-root-ca.crt'];

describe('kubectl get', { skip }, () => {
  let s: TestServer;
  const get = (...args: string[]) => s.k(['get', '-n', NS, ...args]);

  before(async () => {
    s = await TestServer.start();
    await ensureNamespace(s, NS);
    await waitForNamespaceDefaults(s, NS);
    await applyObjects(s, [...configMaps, deployment('web', { replicas: 2 }), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }], { namespace: NS });
  });
  after(async () => {
    await s?.stop();
  });

  test('table: header and one row per object', async () => {
    const rows = parseTable(await get('cm'));
    assert.deepEqual(
      rows.map((r) => [r.NAME, r.DATA]),
      listed.map((n) => [n, '1']),
    );
    for (const r of rows) assert.match(r.AGE!, AGE);
    assert.deepEqual(Object.keys(rows[0]!), ['NAME', 'DATA', 'AGE']);
  });

  test('-o wide adds the extra columns', async () => {
    const out = await get('deploy', 'web', '-o', 'wide');
    assert.match(out, /^NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR\n/);
    const [row] = parseTable(out);
    assert.deepEqual([row!.NAME, row!.READY, row!.CONTAINERS, row!.IMAGES, row!.SELECTOR], ['web', '0/2', 'nginx', 'nginx:1.25', 'app=web']);
    const svc = parseTable(await get('svc', 'web', '-o', 'wide'))[0]!;
    assert.deepEqual([svc.TYPE, svc['PORT(S)'], svc.SELECTOR, svc['EXTERNAL-IP']], ['ClusterIP', '80/TCP', 'app=web', '<none>']);
    assert.match(svc['CLUSTER-IP']!, /^10\.\d+\.\d+\.\d+$/);
  });

  test('-o yaml and -o json: one object, and a List for many', async () => {
    const one = parseYaml(await get('cm', 'c1', '-o', 'yaml')) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid: string; resourceVersion: string }; data: unknown };
    assert.deepEqual([one.apiVersion, one.kind, one.metadata.name, one.metadata.namespace, one.data], ['v1', 'ConfigMap', 'c1', NS, { k: '7' }]);
    assert.match(one.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(one.metadata.resourceVersion, /^\d+$/);
    const list = JSON.parse(await get('cm', '-o', 'json')) as { apiVersion: string; kind: string; items: { kind: string; metadata: { name: string } }[] };
    assert.deepEqual([list.apiVersion, list.kind], ['v1', 'List']);
    assert.deepEqual(
      list.items.map((i) => [i.kind, i.metadata.name]),
      listed.map((n) => ['ConfigMap', n]),
    );
  });

  test('-o name, jsonpath, custom-columns, go-template', async () => {
    const cases: { name: string; args: string[]; want: string }[] = [
      { name: 'name', args: ['cm', '-o', 'name'], want: listed.map((n) => `configmap/${n}\n`).join('') },
      { name: 'name of a group resource', args: ['deploy', '-o', 'name'], want: 'deployment.apps/web\n' },
      { name: 'jsonpath over a list', args: ['cm', '-o', 'jsonpath={.items[*].metadata.name}'], want: listed.join(' ') },
      { name: 'jsonpath range', args: ['cm', '-l', 'tier=t0', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.data.k}{"\\n"}{end}'], want: 'c2=6\nc4=4\nc6=2\n' },
      { name: 'jsonpath on one object', args: ['deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], want: 'nginx:1.25' },
      { name: 'custom-columns', args: ['cm', '-l', 'tier=t1', '-o', 'custom-columns=NAME:.metadata.name,K:.data.k,TIER:.metadata.labels.tier'], want: 'NAME   K     TIER\nc1     7     t1\nc3     5     t1\nc5     3     t1\nc7     1     t1\n' },
      { name: 'custom-columns missing field', args: ['cm', 'c1', '-o', 'custom-columns=NAME:.metadata.name,NOPE:.spec.nope'], want: 'NAME   NOPE\nc1     <none>\n' },
      { name: 'go-template', args: ['cm', '-l', 'idx', '-o', 'go-template={{range .items}}{{.metadata.name}}:{{.data.k}} {{end}}'], want: 'c1:7 c2:6 c3:5 c4:4 c5:3 c6:2 c7:1 ' },
    ];
    for (const c of cases) assert.equal(await get(...c.args), c.want, c.name);
  });

  test('--sort-by orders by a field', async () => {
    assert.equal(await get('cm', '-l', 'idx', '--sort-by=.data.k', '-o', 'name'), [...names].reverse().map((n) => `configmap/${n}\n`).join(''));
    const rows = parseTable(await get('cm', '--sort-by=.metadata.name'));
    assert.deepEqual(
      rows.map((r) => r.NAME),
      listed,
    );
  });

  test('--show-labels, -L and -l', async () => {
    const labelled = parseTable(await get('cm', '--show-labels'));
    assert.deepEqual(
      labelled.map((r) => [r.NAME, r.LABELS]),
      [...configMaps.map((c) => [c.metadata.name, `idx=${c.metadata.labels.idx},tier=${c.metadata.labels.tier}`]), ['kube-root-ca.crt', '<none>']],
    );
    const out = await get('cm', '-L', 'tier', '-L', 'missing', '-l', 'tier=t1');
    assert.match(out, /^NAME +DATA +AGE +TIER +MISSING\n/);
    assert.deepEqual(
      parseTable(out).map((r) => [r.NAME, r.TIER, r.MISSING]),
      [
        ['c1', 't1', ''],
        ['c3', 't1', ''],
        ['c5', 't1', ''],
        ['c7', 't1', ''],
      ],
    );
    assert.equal(await get('cm', '-l', 'tier=t0,idx!=4', '-o', 'name'), 'configmap/c2\nconfigmap/c6\n');
    assert.equal(await get('cm', '-l', 'idx in (1,7)', '-o', 'name'), 'configmap/c1\nconfigmap/c7\n');
    const none = await s.kubectl(['get', '-n', NS, 'cm', '-l', 'tier=nope']);
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', `No resources found in ${NS} namespace.\n`]);
  });

  test('-A lists across namespaces with a NAMESPACE column', async () => {
    const rows = parseTable(await s.k(['get', 'cm', '-A']));
    assert.deepEqual(Object.keys(rows[0]!), ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    assert.deepEqual(
      rows.filter((r) => r.NAMESPACE === NS).map((r) => r.NAME),
      listed,
    );
    assert.deepEqual(
      parseTable(await s.k(['get', 'svc', '-A'])).map((r) => `${r.NAMESPACE}/${r.NAME}`).filter((n) => n === 'default/kubernetes' || n === `${NS}/web`),
      ['default/kubernetes', `${NS}/web`],
    );
  });

  test('--field-selector: metadata.name, and unsupported fields are refused as upstream does', async () => {
    assert.equal(await get('cm', '--field-selector', 'metadata.name=c3', '-o', 'name'), 'configmap/c3\n');
    assert.equal(await get('cm', '--field-selector', 'metadata.name!=c3,metadata.namespace=' + NS, '-o', 'name'), listed.filter((n) => n !== 'c3').map((n) => `configmap/${n}\n`).join(''));
    const cases: { name: string; args: string[]; stderr: string }[] = [
      {
        name: 'kind without its own field labels',
        args: ['cm', '--field-selector', 'data.k=3'],
        stderr: 'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "data.k=3": "data.k" is not a known field selector: only "metadata.name", "metadata.namespace"\n',
      },
      {
        name: 'kind with its own field labels',
        args: ['pods', '--field-selector', 'spec.nope=x'],
        stderr: 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.nope=x": field label not supported: spec.nope\n',
      },
    ];
    for (const c of cases) {
      const r = await s.kubectl(['get', '-n', NS, ...c.args]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', c.stderr], c.name);
    }
  });

  test('--chunk-size pages through all objects, also across namespaces with a selector', async () => {
    const r = await s.kubectl(['get', '-n', NS, 'cm', '-l', 'idx', '--chunk-size=2', '-o', 'name', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, names.map((n) => `configmap/${n}\n`).join(''));
    const pages = r.stderr.split('\n').filter((l) => /GET https:\S+\/configmaps\?\S*limit=2\S* 200 OK/.test(l));
    assert.equal(pages.length, 4, r.stderr);
    assert.equal(pages.filter((l) => l.includes('continue=')).length, 3);
    const table = parseTable(await get('cm', '--chunk-size=2'));
    assert.deepEqual(
      table.map((row) => row.NAME),
      listed,
    );
    // Across namespaces with a label selector: pages of matches, each match once, in key order.
    const across = await s.kubectl(['get', 'cm', '-A', '-l', 'tier=t1', '--chunk-size=1', '-v=6']);
    assert.equal(across.code, 0, across.stderr);
    const rows = parseTable(across.stdout).filter((row) => row.NAMESPACE === NS);
    assert.deepEqual(rows.map((row) => row.NAME), ['c1', 'c3', 'c5', 'c7']);
    assert.ok(across.stderr.split('\n').filter((l) => /GET https:\S+\/api\/v1\/configmaps\?\S*continue=\S* 200 OK/.test(l)).length >= 3, across.stderr);
  });

  test('get all shows the workload and service categories', async () => {
    // The deployment controller makes a ReplicaSet of two pods; with no nodes they stay Pending.
    const settled = /^NAME +DESIRED +CURRENT +READY +AGE\nreplicaset\.apps\/web-[a-z0-9]+ +2 +2 +0 +\S+\n/m;
    const out = await pollUntil('the deployment to have its ReplicaSet and pods', async () => {
      const o = await get('all');
      return settled.test(o) && /deployment\.apps\/web +0\/2 +2 +0 /.test(o) ? o : undefined;
    });
    const rs = /replicaset\.apps\/(web-[a-z0-9]+) /.exec(out)![1]!;
    assert.match(out, new RegExp(`^NAME +READY +STATUS +RESTARTS +AGE\npod/${rs}-[a-z0-9]{5} +0/1 +Pending +0 +\\S+\npod/${rs}-[a-z0-9]{5} +0/1 +Pending +0 +\\S+\n\n`));
    assert.match(out, /^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE\nservice\/web +ClusterIP +10\.\S+ +<none> +80\/TCP +\S+\n/m);
    assert.match(out, /^NAME +READY +UP-TO-DATE +AVAILABLE +AGE\ndeployment\.apps\/web +0\/2 +2 +0 +\S+\n/m);
    assert.match(out, settled);
    assert.doesNotMatch(out, /configmap\//);
  });

  test('--show-kind prefixes names with the kind', async () => {
    const rows = parseTable(await get('cm', 'c1', '--show-kind'));
    assert.deepEqual(
      rows.map((r) => r.NAME),
      ['configmap/c1'],
    );
    const mixed = await get('cm,deploy', '-l', 'idx=1');
    assert.match(mixed, /^NAME +DATA +AGE\nconfigmap\/c1 +1 +\S+\n$/);
  });

  test('get -w prints the list, then a row per change; --watch-only only the changes', async () => {
    await ensureNamespace(s, 'get-watch');
    await waitForNamespaceDefaults(s, 'get-watch');
    await applyObjects(s, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' } }], { namespace: 'get-watch' });
    const watch = new BackgroundKubectl(s, ['get', 'cm', '-n', 'get-watch', '-w']);
    const watchOnly = new BackgroundKubectl(s, ['get', 'cm', '-n', 'get-watch', '--watch-only', '-o', 'name']);
    try {
      await watch.waitFor(/^NAME +DATA +AGE\nkube-root-ca\.crt +1 +\S+\nw1 +0 +\S+\n/);
      // --watch-only prints nothing until a change: touch w1 until it reports one, so its watch is known to be running.
      let n = 0;
      await pollUntil('--watch-only to report a change', async () => {
        await s.k(['label', 'cm', 'w1', '-n', 'get-watch', `v=${++n}`, '--overwrite']);
        return watchOnly.stdout.includes('configmap/w1\n') ? true : undefined;
      }, { intervalMs: 300 });
      await watch.waitFor(/\nw1 +0 +\S+\n(?:.*\n)*w1 +0 +\S+\n/);
      await applyObjects(s, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w2' }, data: { a: 'b' } }], { namespace: 'get-watch' });
      await watch.waitFor(/\nw2 +1 +\S+\n/);
      await s.k(['delete', 'cm', 'w2', '-n', 'get-watch']);
      await watch.waitFor(/\nw2 +1 +\S+\n(?:.*\n)*w2 +1 +\S+\n/);
      await watchOnly.waitFor(/configmap\/w2\n(?:.*\n)*configmap\/w2\n/);
      assert.doesNotMatch(watchOnly.stdout, /NAME/);
      assert.equal(watchOnly.stderr, '');
    } finally {
      await watch.stop();
      await watchOnly.stop();
    }
  });
});
