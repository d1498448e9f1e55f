/**
 * The commands that change objects, through the real kubectl: create (every
 * generator users reach for), label, annotate, patch, edit, replace, scale,
 * set, delete with its propagation policies, and wait.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath, run } from '../testing/server-harness.js';
import { BackgroundKubectl, applyObjects, deployment, ensureNamespace, pod, pollUntil, tempDir } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

type Json = Record<string, any>;

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * A registered node no kubelet serves: pods bound to it stay as they are (a
 * pod bound to a node that does not exist is the pod garbage collector's to
 * delete). Its taint keeps the scheduler from placing other pods there.
 */
const NO_KUBELET = 'no-kubelet';
const noKubeletNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: NO_KUBELET }, spec: { taints: [{ key: 'example.com/no-kubelet', effect: 'NoSchedule' }] } };

describe('kubectl create, label, patch, edit, delete, wait', { skip }, () => {
  let s: TestServer;
  let tmp: ReturnType<typeof tempDir>;
  const getJson = async (ns: string, ...args: string[]): Promise<Json> => JSON.parse(await s.k(['get', '-n', ns, ...args, '-o', 'json'])) as Json;

  before(async () => {
    s = await TestServer.start();
    tmp = tempDir('k8ts-e2e-mutate-');
    await applyObjects(s, [noKubeletNode]);
  });
  after(async () => {
    await s?.stop();
    tmp?.dispose();
  });

  describe('create', () => {
    const NS = 'mu-create';
    before(async () => {
      await ensureNamespace(s, NS);
    });

    test('create namespace', async () => {
      assert.equal(await s.k(['create', 'namespace', 'mu-created']), 'namespace/mu-created created\n');
      const ns = JSON.parse(await s.k(['get', 'ns', 'mu-created', '-o', 'json'])) as Json;
      assert.deepEqual([ns.metadata.labels, ns.status.phase], [{ 'kubernetes.io/metadata.name': 'mu-created' }, 'Active']);
      const again = await s.kubectl(['create', 'namespace', 'mu-created']);
      assert.deepEqual([again.code, again.stderr], [1, 'Error from server (AlreadyExists): namespaces "mu-created" already exists\n']);
    });

    const cases: { name: string; args: (dir: string) => string[]; out: string; get: string[]; check: (o: Json) => void }[] = [
      {
        name: 'configmap from literals',
        args: () => ['configmap', 'lit', '--from-literal=a=1', '--from-literal=b=two words'],
        out: 'configmap/lit created',
        get: ['cm', 'lit'],
        check: (o) => assert.deepEqual(o.data, { a: '1', b: 'two words' }),
      },
      {
        name: 'configmap from files',
        args: (dir) => ['configmap', 'files', `--from-file=${path.join(dir, 'app.properties')}`, `--from-file=renamed=${path.join(dir, 'other.txt')}`],
        out: 'configmap/files created',
        get: ['cm', 'files'],
        check: (o) => assert.deepEqual(o.data, { 'app.properties': 'x=1\ny=2\n', renamed: 'other\n' }),
      },
      {
        name: 'secret generic',
        args: () => ['secret', 'generic', 'gen', '--from-literal=password=s3cret'],
        out: 'secret/gen created',
        get: ['secret', 'gen'],
        check: (o) => assert.deepEqual([o.type, o.data], ['Opaque', { password: b64('s3cret') }]),
      },
      {
        name: 'secret tls',
        args: (dir) => ['secret', 'tls', 'tls', `--cert=${path.join(dir, 'tls.crt')}`, `--key=${path.join(dir, 'tls.key')}`],
        out: 'secret/tls created',
        get: ['secret', 'tls'],
        check: (o) => {
          assert.equal(o.type, 'kubernetes.io/tls');
          assert.deepEqual(Object.keys(o.data as object).sort(), ['tls.crt', 'tls.key']);
          assert.match(Buffer.from(o.data['tls.crt'] as string, 'base64').toString(), /^-----BEGIN CERTIFICATE-----/);
        },
      },
      {
        name: 'secret docker-registry',
        args: () => ['secret', 'docker-registry', 'reg', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p'],
        out: 'secret/reg created',
        get: ['secret', 'reg'],
        check: (o) => {
          assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
          const cfg = JSON.parse(Buffer.from(o.data['.dockerconfigjson'] as string, 'base64').toString()) as Json;
          assert.deepEqual(cfg.auths['registry.example'], { username: 'u', password: 'p', auth: b64('u:p') });
        },
      },
      {
        name: 'deployment',
        args: () => ['deployment', 'dep', '--image=nginx:1.25', '--replicas=2', '--port=80'],
        out: 'deployment.apps/dep created',
        get: ['deploy', 'dep'],
        check: (o) => {
          assert.deepEqual([o.spec.replicas, o.spec.selector, o.metadata.labels], [2, { matchLabels: { app: 'dep' } }, { app: 'dep' }]);
          const c = o.spec.template.spec.containers[0] as Json;
          assert.deepEqual([c.name, c.image, c.ports], ['nginx', 'nginx:1.25', [{ containerPort: 80, protocol: 'TCP' }]]);
          assert.deepEqual(o.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
        },
      },
      {
        name: 'service clusterip',
        args: () => ['service', 'clusterip', 'svc-c', '--tcp=80:8080'],
        out: 'service/svc-c created',
        get: ['svc', 'svc-c'],
        check: (o) => {
          assert.deepEqual([o.spec.type, o.spec.selector, o.spec.ports], ['ClusterIP', { app: 'svc-c' }, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]]);
          assert.match(o.spec.clusterIP as string, /^10\.\d+\.\d+\.\d+$/);
        },
      },
      {
        name: 'service nodeport',
        args: () => ['service', 'nodeport', 'svc-n', '--tcp=80:8080', '--node-port=30080'],
        out: 'service/svc-n created',
        get: ['svc', 'svc-n'],
        check: (o) => assert.deepEqual([o.spec.type, o.spec.ports[0].nodePort, o.spec.externalTrafficPolicy], ['NodePort', 30080, 'Cluster']),
      },
      {
        name: 'serviceaccount',
        args: () => ['serviceaccount', 'robot'],
        out: 'serviceaccount/robot created',
        get: ['sa', 'robot'],
        check: (o) => assert.deepEqual([o.kind, o.metadata.name], ['ServiceAccount', 'robot']),
      },
      {
        name: 'role',
        args: () => ['role', 'reader', '--verb=get,list,watch', '--resource=pods,deployments.apps'],
        out: 'role.rbac.authorization.k8s.io/reader created',
        get: ['role', 'reader'],
        check: (o) =>
          assert.deepEqual(o.rules, [
            { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
          ]),
      },
      {
        name: 'rolebinding',
        args: () => ['rolebinding', 'reader-binding', '--role=reader', `--serviceaccount=mu-create:robot`, '--user=jane'],
        out: 'rolebinding.rbac.authorization.k8s.io/reader-binding created',
        get: ['rolebinding', 'reader-binding'],
        check: (o) => {
          assert.deepEqual(o.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
          assert.deepEqual(o.subjects, [
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
            { kind: 'ServiceAccount', name: 'robot', namespace: 'mu-create' },
          ]);
        },
      },
      {
        name: 'job',
        args: () => ['job', 'once', '--image=busybox', '--', 'echo', 'hi'],
        out: 'job.batch/once created',
        get: ['job', 'once'],
        check: (o) => {
          const c = o.spec.template.spec.containers[0] as Json;
          assert.deepEqual([c.image, c.command, o.spec.template.spec.restartPolicy], ['busybox', ['echo', 'hi'], 'Never']);
          assert.equal(o.spec.backoffLimit, 6);
          assert.equal(o.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], o.metadata.uid);
        },
      },
      {
        name: 'cronjob',
        args: () => ['cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
        out: 'cronjob.batch/tick created',
        get: ['cronjob', 'tick'],
        check: (o) => {
          assert.deepEqual([o.spec.schedule, o.spec.concurrencyPolicy, o.spec.suspend], ['*/5 * * * *', 'Allow', false]);
          assert.deepEqual(o.spec.jobTemplate.spec.template.spec.containers[0].command, ['date']);
        },
      },
      {
        name: 'quota',
        args: () => ['quota', 'limits', '--hard=pods=10,cpu=2,requests.memory=1Gi'],
        out: 'resourcequota/limits created',
        get: ['quota', 'limits'],
        check: (o) => assert.deepEqual(o.spec.hard, { pods: '10', cpu: '2', 'requests.memory': '1Gi' }),
      },
      {
        name: 'priorityclass',
        args: () => ['priorityclass', 'mu-high', '--value=1000', '--description=important'],
        out: 'priorityclass.scheduling.k8s.io/mu-high created',
        get: ['priorityclass', 'mu-high'],
        // globalDefault false is omitted on the wire (omitempty), as upstream prints it.
        check: (o) => assert.deepEqual([o.value, o.description, 'globalDefault' in o, o.preemptionPolicy], [1000, 'important', false, 'PreemptLowerPriority']),
      },
    ];

    for (const c of cases) {
      test(`create ${c.name}`, async (t) => {
        writeFileSync(path.join(tmp.dir, 'app.properties'), 'x=1\ny=2\n');
        writeFileSync(path.join(tmp.dir, 'other.txt'), 'other\n');
        if (c.name === 'secret tls') {
          const gen = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mu.example', '-keyout', path.join(tmp.dir, 'tls.key'), '-out', path.join(tmp.dir, 'tls.crt')]).catch(() => undefined);
          if (!gen || gen.code !== 0) return t.skip('openssl is needed to make a certificate');
        }
        assert.equal(await s.k(['create', '-n', NS, ...c.args(tmp.dir)]), `${c.out}\n`);
        c.check(await getJson(NS, ...c.get));
      });
    }
  });

  test('label: add, overwrite only with --overwrite, remove with key-', async () => {
    const NS = 'mu-label';
    await ensureNamespace(s, NS);
    await applyObjects(s, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'l' } }], { namespace: NS });
    assert.equal(await s.k(['label', '-n', NS, 'cm', 'l', 'a=1', 'b=2']), 'configmap/l labeled\n');
    const clash = await s.kubectl(['label', '-n', NS, 'cm', 'l', 'a=3']);
    assert.deepEqual([clash.code, clash.stderr], [1, "error: 'a' already has a value (1), and --overwrite is false\n"]);
    assert.equal(await s.k(['label', '-n', NS, 'cm', 'l', 'a=3', '--overwrite']), 'configmap/l labeled\n');
    assert.equal(await s.k(['label', '-n', NS, 'cm', 'l', 'b-']), 'configmap/l unlabeled\n');
    assert.deepEqual((await getJson(NS, 'cm', 'l')).metadata.labels, { a: '3' });
    // The server refuses what kubectl's own check would: send a bad key through a patch.
    const bad = await s.kubectl(['patch', '-n', NS, 'cm', 'l', '-p', '{"metadata":{"labels":{"a":"-x-"}}}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^The ConfigMap "l" is invalid: metadata\.labels: Invalid value: "-x-": a valid label must be an empty string or consist of alphanumeric characters/);
  });

  test('annotate: add, overwrite only with --overwrite, remove with key-', async () => {
    const NS = 'mu-annotate';
    await ensureNamespace(s, NS);
    await applyObjects(s, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }], { namespace: NS });
    assert.equal(await s.k(['annotate', '-n', NS, 'cm', 'a', 'note=first']), 'configmap/a annotated\n');
    const clash = await s.kubectl(['annotate', '-n', NS, 'cm', 'a', 'note=second']);
    assert.deepEqual([clash.code, clash.stderr], [1, "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (first)\n"]);
    assert.equal(await s.k(['annotate', '-n', NS, 'cm', 'a', 'note=second', '--overwrite']), 'configmap/a annotated\n');
    assert.equal((await getJson(NS, 'cm', 'a')).metadata.annotations.note, 'second');
    assert.equal(await s.k(['annotate', '-n', NS, 'cm', 'a', 'note-']), 'configmap/a annotated\n');
    assert.equal('note' in (await getJson(NS, 'cm', 'a')).metadata.annotations, false);
  });

  test('patch: strategic, merge, json, and the status subresource', async () => {
    const NS = 'mu-patch';
    await ensureNamespace(s, NS);
    await applyObjects(s, [deployment('p', { replicas: 1 })], { namespace: NS });
    const p = (...args: string[]) => s.k(['patch', '-n', NS, 'deploy', 'p', ...args]);
    // Strategic merge adds a container by its merge key instead of replacing the list.
    assert.equal(await p('-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}'), 'deployment.apps/p patched\n');
    let d = await getJson(NS, 'deploy', 'p');
    assert.deepEqual(
      (d.spec.template.spec.containers as Json[]).map((c) => c.name),
      ['side', 'nginx'],
    );
    // A JSON merge patch replaces lists wholesale.
    assert.equal(await p('--type', 'merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}'), 'deployment.apps/p patched\n');
    d = await getJson(NS, 'deploy', 'p');
    assert.deepEqual(
      (d.spec.template.spec.containers as Json[]).map((c) => c.name),
      ['only'],
    );
    assert.equal(await p('--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]'), 'deployment.apps/p patched\n');
    d = await getJson(NS, 'deploy', 'p');
    assert.deepEqual([d.spec.replicas, d.metadata.labels], [3, { x: 'y' }]);
    // The deployment controller writes status while it rolls out; once it is done, a patch that
    // changes nothing is reported as such (kubectl compares the object before and after).
    const noChange = (...args: string[]) =>
      pollUntil(`patch ${args.join(' ')} to change nothing`, async () => {
        const out = await p(...args);
        assert.match(out, /^deployment\.apps\/p patched(?: \(no change\))?\n$/);
        return out === 'deployment.apps/p patched (no change)\n' ? true : undefined;
      });
    await noChange('--type', 'merge', '-p', '{"spec":{"replicas":3}}');
    const failedTest = await s.kubectl(['patch', '-n', NS, 'deploy', 'p', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.equal(failedTest.code, 1);

    // The main resource ignores status; the status subresource ignores everything else.
    await noChange('--type', 'merge', '-p', '{"status":{"replicas":7}}');
    assert.notEqual((await getJson(NS, 'deploy', 'p')).status?.replicas, 7);
    // The controller rewrites status soon after, so read what the patch stored from its response.
    d = JSON.parse(await p('--subresource=status', '--type', 'merge', '-p', '{"spec":{"replicas":9},"status":{"replicas":7,"observedGeneration":1}}', '-o', 'json')) as Json;
    assert.deepEqual([d.spec.replicas, d.status.replicas, d.status.observedGeneration], [3, 7, 1]);
  });

  test('debug adds an ephemeral container through pods/ephemeralcontainers; existing ones may not change', async () => {
    const NS = 'mu-debug';
    await ensureNamespace(s, NS);
    await s.k(['run', 'target', '-n', NS, '--image=nginx', '--restart=Never']);
    const r = await s.kubectl(['debug', '-n', NS, 'target', '--image=busybox', '--container=dbg', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    const pod = await getJson(NS, 'pod', 'target');
    assert.deepEqual(
      (pod.spec.ephemeralContainers as Json[]).map((c) => [c.name, c.image, c.command, c.terminationMessagePath]),
      [['dbg', 'busybox', ['sleep', '3600'], '/dev/termination-log']],
    );
    assert.deepEqual((pod.spec.containers as Json[]).map((c) => c.name), ['target']);
    // --target names the container whose process namespace the debug container joins; it must be one of the pod's.
    const targeted = await s.kubectl(['debug', '-n', NS, 'target', '--image=busybox', '--container=dbg2', '--target=target', '--', 'ps']);
    assert.equal(targeted.code, 0, targeted.stderr);
    assert.equal((await getJson(NS, 'pod', 'target')).spec.ephemeralContainers[1].targetContainerName, 'target');
    const nosuch = await s.kubectl(['debug', '-n', NS, 'target', '--image=busybox', '--container=dbg3', '--target=nosuch', '--', 'ps']);
    assert.equal(nosuch.code, 1);
    assert.match(nosuch.stderr, /\nThe Pod "target" is invalid: spec\.ephemeralContainers\[2\]\.targetContainerName: Not found: "nosuch"\n$/);
    // Only ephemeral containers change through the subresource; changing one is refused.
    const changed = await s.kubectl(['patch', '-n', NS, 'pod', 'target', '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"replace","path":"/spec/ephemeralContainers/0/image","value":"alpine"}]']);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /^The Pod "target" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed\n/);
    const other = await s.k(['patch', '-n', NS, 'pod', 'target', '--subresource=ephemeralcontainers', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}},"spec":{"activeDeadlineSeconds":5}}']);
    assert.equal(other, 'pod/target patched (no change)\n');
    const after = await getJson(NS, 'pod', 'target');
    assert.deepEqual([after.spec.activeDeadlineSeconds, after.metadata.labels?.x], [undefined, undefined]);
  });

  test('namespaces/finalize changes spec.finalizers only', async () => {
    const NS = 'mu-finalize';
    await ensureNamespace(s, NS);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { sneaked: 'in' } }, spec: { finalizers: ['example.com/hold'] } });
    const out = JSON.parse(await s.k(['replace', '--raw', `/api/v1/namespaces/${NS}/finalize`, '-f', '-'], { input: body })) as Json;
    assert.deepEqual([out.spec.finalizers, out.metadata.labels?.sneaked], [['example.com/hold'], undefined]);
    const live = await getJson('', 'ns', NS);
    assert.deepEqual([live.spec.finalizers, live.metadata.labels?.sneaked], [['example.com/hold'], undefined]);
    await s.k(['replace', '--raw', `/api/v1/namespaces/${NS}/finalize`, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, spec: { finalizers: [] } }) });
    assert.deepEqual((await getJson('', 'ns', NS)).spec.finalizers, undefined);
  });

  test('edit with EDITOR rewriting the file', async () => {
    const NS = 'mu-edit';
    await ensureNamespace(s, NS);
    await applyObjects(s, [deployment('e', { replicas: 2 })], { namespace: NS });
    const editor = path.join(tmp.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i -e "s/replicas: 2/replicas: 4/" -e "s/image: nginx:1.25/image: nginx:1.27/" "$1"\n', { mode: 0o755 });
    assert.equal(await s.k(['edit', '-n', NS, 'deploy', 'e'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }), 'deployment.apps/e edited\n');
    const d = await getJson(NS, 'deploy', 'e');
    assert.deepEqual([d.spec.replicas, d.spec.template.spec.containers[0].image, d.metadata.generation], [4, 'nginx:1.27', 2]);
    const noop = path.join(tmp.dir, 'noop.sh');
    writeFileSync(noop, '#!/bin/sh\ntrue\n', { mode: 0o755 });
    const r = await s.kubectl(['edit', '-n', NS, 'deploy', 'e'], { env: { EDITOR: noop, KUBE_EDITOR: noop } });
    assert.deepEqual([r.code, r.stdout + r.stderr], [0, 'Edit cancelled, no changes made.\n']);
  });

  test('replace, scale, set image, set env, set resources', async () => {
    const NS = 'mu-replace';
    await ensureNamespace(s, NS);
    await applyObjects(s, [deployment('r', { replicas: 1 }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rc' }, data: { a: '1' } }], { namespace: NS });
    const live = await s.k(['get', '-n', NS, 'cm', 'rc', '-o', 'yaml']);
    assert.equal(await s.k(['replace', '-f', '-'], { input: live.replace('a: "1"', 'a: "2"') }), 'configmap/rc replaced\n');
    assert.deepEqual((await getJson(NS, 'cm', 'rc')).data, { a: '2' });
    // The live copy is now stale: its resourceVersion no longer matches.
    const stale = await s.kubectl(['replace', '-f', '-'], { input: live.replace('a: "1"', 'a: "3"') });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "rc": the object has been modified; please apply your changes to the latest version and try again\n/);

    assert.equal(await s.k(['scale', '-n', NS, 'deploy/r', '--replicas=3']), 'deployment.apps/r scaled\n');
    const precond = await s.kubectl(['scale', '-n', NS, 'deploy/r', '--current-replicas=2', '--replicas=5']);
    assert.deepEqual([precond.code, precond.stderr], [1, 'error: Expected replicas to be 2, was 3\n']);
    assert.equal(await s.k(['set', 'image', '-n', NS, 'deploy/r', 'nginx=nginx:1.26']), 'deployment.apps/r image updated\n');
    assert.equal(await s.k(['set', 'env', '-n', NS, 'deploy/r', 'FOO=bar', 'BAZ=1']), 'deployment.apps/r env updated\n');
    assert.equal(await s.k(['set', 'resources', '-n', NS, 'deploy/r', '-c', 'nginx', '--limits=cpu=200m,memory=128Mi', '--requests=cpu=100m']), 'deployment.apps/r resource requirements updated\n');
    const d = await getJson(NS, 'deploy', 'r');
    const c = d.spec.template.spec.containers[0] as Json;
    assert.deepEqual(
      [d.spec.replicas, c.image, c.env, c.resources],
      [
        3,
        'nginx:1.26',
        [
          { name: 'FOO', value: 'bar' },
          { name: 'BAZ', value: '1' },
        ],
        { limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '100m' } },
      ],
    );
    assert.equal(await s.k(['set', 'env', '-n', NS, 'deploy/r', 'FOO-']), 'deployment.apps/r env updated\n');
    assert.deepEqual((await getJson(NS, 'deploy', 'r')).spec.template.spec.containers[0].env, [{ name: 'BAZ', value: '1' }]);
  });

  test('delete by file, by name, by label, --all', async () => {
    const NS = 'mu-delete';
    await ensureNamespace(s, NS);
    // Secrets, not ConfigMaps: every namespace has a kube-root-ca.crt ConfigMap that --all would
    // take and the root CA publisher would put back.
    const secret = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, labels } });
    await applyObjects(s, [secret('by-file'), secret('by-name'), secret('lab-1', { sel: 'yes' }), secret('lab-2', { sel: 'yes' }), secret('rest-1'), secret('rest-2')], { namespace: NS });
    const f = path.join(tmp.dir, 'by-file.json');
    writeFileSync(f, JSON.stringify(secret('by-file')));
    assert.equal(await s.k(['delete', '-n', NS, '-f', f]), 'secret "by-file" deleted\n');
    assert.equal(await s.k(['delete', '-n', NS, 'secret', 'by-name']), 'secret "by-name" deleted\n');
    assert.equal(await s.k(['delete', '-n', NS, 'secret', '-l', 'sel=yes']), 'secret "lab-1" deleted\nsecret "lab-2" deleted\n');
    assert.equal(await s.k(['get', '-n', NS, 'secret', '-o', 'name']), 'secret/rest-1\nsecret/rest-2\n');
    assert.equal(await s.k(['delete', '-n', NS, 'secret', '--all']), 'secret "rest-1" deleted\nsecret "rest-2" deleted\n');
    const missing = await s.kubectl(['delete', '-n', NS, 'secret', 'by-name']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): secrets "by-name" not found\n']);
    const none = await s.kubectl(['delete', '-n', NS, 'secret', '--all']);
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, 'No resources found\n', '']);
  });

  test('delete --cascade: orphan keeps the ReplicaSet, foreground removes it before the owner, background after', async () => {
    const NS = 'mu-cascade';
    await ensureNamespace(s, NS);
    const policies = [
      { cascade: 'orphan', finalizers: '["orphan"]' },
      { cascade: 'foreground', finalizers: '["foregroundDeletion"]' },
      { cascade: 'background', finalizers: undefined },
    ];
    await applyObjects(
      s,
      policies.map((p) => deployment(`cas-${p.cascade}`)),
      { namespace: NS },
    );
    const owned = async (kind: string, app: string): Promise<Json[]> => (await getJson(NS, kind, '-l', `app=${app}`)).items as Json[];
    for (const p of policies) {
      const name = `cas-${p.cascade}`;
      const [rs] = await pollUntil(`the ReplicaSet of ${name} and its pod`, async () => {
        const [sets, pods] = await Promise.all([owned('rs', name), owned('pods', name)]);
        return sets.length === 1 && pods.length === 1 ? sets : undefined;
      });
      assert.deepEqual(
        (rs!.metadata.ownerReferences as Json[]).map((o) => [o.kind, o.name, o.controller, o.blockOwnerDeletion]),
        [['Deployment', name, true, true]],
      );
      // The garbage collector may finish before a GET could see the finalizer; a watch sees every state.
      const states = new BackgroundKubectl(s, ['get', '-n', NS, 'deploy', name, '-w', '-o', 'jsonpath={.metadata.finalizers} {.metadata.deletionTimestamp}{"\\n"}']);
      try {
        await states.waitFor(/^ \n/);
        assert.equal(await s.k(['delete', '-n', NS, 'deploy', name, `--cascade=${p.cascade}`, '--wait=false']), `deployment.apps "${name}" deleted\n`);
        if (p.finalizers) {
          await pollUntil(`${name} to be gone`, async () => ((await s.kubectl(['get', '-n', NS, 'deploy', name])).code === 1 ? true : undefined));
          await states.waitFor(new RegExp(`^${p.finalizers.replace(/[[\]]/g, '\\$&')} \\d{4}-\\d\\d-\\d\\dT`, 'm'));
        } else {
          // Background: the owner goes at once, its dependents after.
          const r = await s.kubectl(['get', '-n', NS, 'deploy', name]);
          assert.deepEqual([r.code, r.stderr], [1, `Error from server (NotFound): deployments.apps "${name}" not found\n`]);
          assert.doesNotMatch(states.stdout, /\[/, 'no finalizer was set');
        }
      } finally {
        await states.stop();
      }
      if (p.cascade === 'orphan') {
        // The ReplicaSet and its pod stay, no longer owned.
        const [kept] = await owned('rs', name);
        assert.deepEqual([kept?.metadata.uid, kept?.metadata.ownerReferences], [rs!.metadata.uid, undefined]);
        assert.equal((await owned('pods', name)).length, 1);
      } else if (p.cascade === 'foreground') {
        // The owner went only after its blocking dependents.
        assert.deepEqual([(await owned('rs', name)).length, (await owned('pods', name)).length], [0, 0]);
      } else {
        await pollUntil(`the garbage collector to remove the dependents of ${name}`, async () => ((await owned('rs', name)).length === 0 && (await owned('pods', name)).length === 0 ? true : undefined));
      }
    }
  });

  test('delete of a bound pod is graceful; --grace-period=0 --force removes it at once', async () => {
    const NS = 'mu-force';
    await ensureNamespace(s, NS);
    await applyObjects(s, [pod('bound', { nodeName: NO_KUBELET }), pod('unbound')], { namespace: NS });
    // Nothing runs an unscheduled pod, so upstream deletes it immediately.
    assert.equal(await s.k(['delete', '-n', NS, 'pod', 'unbound']), 'pod "unbound" deleted\n');
    assert.equal(await s.k(['delete', '-n', NS, 'pod', 'bound', '--wait=false']), 'pod "bound" deleted\n');
    const p = await getJson(NS, 'pod', 'bound');
    assert.equal(p.metadata.deletionGracePeriodSeconds, 30);
    assert.match(p.metadata.deletionTimestamp as string, /^\d{4}-/);
    const forced = await s.kubectl(['delete', '-n', NS, 'pod', 'bound', '--grace-period=0', '--force']);
    assert.deepEqual(
      [forced.code, forced.stdout, forced.stderr],
      [0, 'pod "bound" force deleted\n', 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n'],
    );
    assert.equal((await s.kubectl(['get', '-n', NS, 'pod', 'bound'])).code, 1);
  });

  test('wait --for=condition, --for=jsonpath and --for=delete see changes made while waiting', async () => {
    const NS = 'mu-wait';
    await ensureNamespace(s, NS);
    await applyObjects(s, [deployment('w', { replicas: 2 }), pod('doomed', { nodeName: NO_KUBELET })], { namespace: NS });
    // With no node to run them, two replicas are never available; scaled to zero, the deployment
    // controller reports the deployment Available at its next generation.
    await pollUntil('the deployment controller to report w unavailable', async () => {
      const d = await getJson(NS, 'deploy', 'w');
      const available = (d.status?.conditions as Json[] | undefined)?.find((c) => c.type === 'Available');
      return d.status?.observedGeneration === 1 && available?.status === 'False' ? true : undefined;
    });

    // -v=6 logs each request, so the changes below are made only once every wait is watching.
    const cond = new BackgroundKubectl(s, ['wait', '-v=6', '-n', NS, '--for=condition=Available', 'deploy/w', '--timeout=30s']);
    const jp = new BackgroundKubectl(s, ['wait', '-v=6', '-n', NS, '--for=jsonpath={.status.observedGeneration}=2', 'deploy/w', '--timeout=30s']);
    const del = new BackgroundKubectl(s, ['wait', '-v=6', '-n', NS, '--for=delete', 'pod/doomed', '--timeout=30s']);
    const problems = (stderr: string) => stderr.split('\n').filter((l) => l !== '' && !/^I\d{4} /.test(l));
    try {
      for (const w of [cond, jp, del]) await pollUntil('kubectl wait to be watching', () => (/[?&]watch=true\S* 200 OK/.test(w.stderr) ? true : undefined));
      assert.equal(await s.k(['scale', '-n', NS, 'deploy/w', '--replicas=0']), 'deployment.apps/w scaled\n');
      await s.k(['delete', '-n', NS, 'pod', 'doomed', '--grace-period=0', '--force']);
      assert.deepEqual([await cond.exited, cond.stdout, problems(cond.stderr)], [0, 'deployment.apps/w condition met\n', []]);
      assert.deepEqual([await jp.exited, jp.stdout, problems(jp.stderr)], [0, 'deployment.apps/w condition met\n', []]);
      assert.deepEqual([await del.exited, del.stdout], [0, 'pod/doomed condition met\n']);
    } finally {
      await Promise.all([cond.stop(), jp.stop(), del.stop()]);
    }
    // Already true: returns at once.
    assert.equal(await s.k(['wait', '-n', NS, '--for=condition=Available=True', 'deploy/w', '--timeout=5s']), 'deployment.apps/w condition met\n');
    const timeout = await s.kubectl(['wait', '-n', NS, '--for=condition=Available=False', 'deploy/w', '--timeout=1s']);
    assert.deepEqual([timeout.code, timeout.stderr], [1, 'error: timed out waiting for the condition on deployments/w\n']);
  });
});
