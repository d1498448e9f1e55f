/**
 * Bad input is refused the way upstream refuses it, and a refused write
 * stores nothing: malformed bodies, unknown kinds, oversized bodies, invalid
 * names/labels/values, unknown fields under each validation mode, patches
 * that do not apply, stale resourceVersions, missing namespaces, and
 * deleting a protected namespace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { type AdminCredentials, readAdminCredentials, request, requestJSON } from './https-client.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

interface Status {
  kind: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] };
}

function deployment(name: string, opts: { labels?: Record<string, string>; replicas?: number; templateApp?: string; port?: number; extraSpec?: Record<string, unknown> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      ...opts.extraSpec,
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: opts.templateApp ?? 'x' } },
        spec: { containers: [{ name: 'c', image: 'nginx', ...(opts.port ? { ports: [{ containerPort: opts.port }] } : {}) }] },
      },
    },
  };
}

const json = (v: unknown) => JSON.stringify(v);

describe('bad input is refused with upstream errors and stores nothing', { skip }, () => {
  let s: TestServer;
  let creds: AdminCredentials;
  const ns = 'bad-input';

  before(async () => {
    s = await TestServer.start();
    creds = readAdminCredentials(s.kubeconfig);
    assert.equal(await s.k(['create', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) }), `namespace/${ns} created\n`);
  });
  after(async () => {
    await s?.stop();
  });

  async function assertAbsent(path: string): Promise<void> {
    const r = await requestJSON<Status>(creds, path);
    assert.equal(r.status, 404, `${path} should not exist, got ${r.status}`);
  }

  test('malformed JSON and YAML bodies are 400 BadRequest', async () => {
    const cases = [
      { name: 'truncated JSON', contentType: 'application/json', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m1"', message: /^couldn't get version\/kind; json parse error: / },
      { name: 'JSON that is not an object', contentType: 'application/json', body: '[1]', message: /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go value of type core\.ConfigMap$/ },
      { name: 'JSON with a wrongly typed field', contentType: 'application/json', body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm1' }, data: { a: 1 } }), message: /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number 1 into Go struct field ConfigMap\.data\.a of type string$/ },
      { name: 'broken YAML', contentType: 'application/yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m1\n  x: [\n', message: /^error converting YAML to JSON: / },
    ];
    for (const c of cases) {
      const r = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: c.body, headers: { 'content-type': c.contentType } });
      assert.equal(r.status, 400, c.name);
      assert.equal(r.body.kind, 'Status', c.name);
      assert.equal(r.body.reason, 'BadRequest', c.name);
      assert.match(r.body.message, c.message, c.name);
    }
    await assertAbsent(`/api/v1/namespaces/${ns}/configmaps/m1`);
  });

  test('an unsupported body media type is 415', async () => {
    const r = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, 'UnsupportedMediaType');
  });

  test('unknown kind and unknown version are refused by kubectl', async () => {
    const cases = [
      { name: 'unknown kind', manifest: { apiVersion: 'v1', kind: 'Foo', metadata: { name: 'f1' } }, want: 'no matches for kind "Foo" in version "v1"' },
      { name: 'unknown version', manifest: { apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'f1' } }, want: 'no matches for kind "Deployment" in version "apps/v9"' },
    ];
    for (const c of cases) {
      const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: json(c.manifest) });
      assert.equal(r.code, 1, c.name);
      // kubectl cannot tell whether an unmapped kind is namespaced, so it prints an empty namespace.
      assert.equal(r.stderr, `error: resource mapping not found for name: "f1" namespace: "" from "STDIN": ${c.want}\nensure CRDs are installed first\n`, c.name);
    }
    // The same request sent raw finds no such resource.
    const raw = await requestJSON<Status>(creds, `/apis/apps/v9/namespaces/${ns}/deployments`, { method: 'POST', body: json(cases[1]!.manifest) });
    assert.equal(raw.status, 404);
    assert.equal(raw.body.reason, 'NotFound');
  });

  test('a body over 3 MiB is 413', async () => {
    const big = json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    const raw = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: big });
    assert.equal(raw.status, 413);
    assert.equal(raw.body.reason, 'RequestEntityTooLarge');
    assert.equal(raw.body.message, 'Request entity too large: limit is 3145728');
    const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: big });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (RequestEntityTooLarge): error when creating "STDIN": Request entity too large: limit is 3145728\n');
    await assertAbsent(`/api/v1/namespaces/${ns}/configmaps/big`);
  });

  test('invalid name and label key are 422 with field causes', async () => {
    const bad = deployment('Bad_Name', { labels: { 'a b': 'c' } });
    const raw = await requestJSON<Status>(creds, `/apis/apps/v1/namespaces/${ns}/deployments`, { method: 'POST', body: json(bad) });
    assert.equal(raw.status, 422);
    assert.equal(raw.body.reason, 'Invalid');
    assert.deepEqual(
      { name: raw.body.details?.name, group: raw.body.details?.group, kind: raw.body.details?.kind },
      { name: 'Bad_Name', group: 'apps', kind: 'Deployment' },
    );
    assert.deepEqual(
      raw.body.details?.causes?.map((c) => [c.reason, c.field]),
      [
        ['FieldValueInvalid', 'metadata.name'],
        ['FieldValueInvalid', 'metadata.labels'],
      ],
    );
    const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: json(bad) });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The Deployment "Bad_Name" is invalid: \n' +
        `* metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n` +
        `* metadata.labels: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n`,
    );
    assert.equal(await s.k(['get', 'deploy', '-n', ns, '-o', 'name']), '');
    // The typed client (protobuf body) gets the same verdict.
    const typed = await s.kubectl(['create', 'secret', 'generic', 'Bad_S', '-n', ns, '--from-literal=a=b']);
    assert.equal(typed.code, 1);
    assert.equal(
      typed.stderr,
      `error: failed to create secret Secret "Bad_S" is invalid: metadata.name: Invalid value: "Bad_S": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n`,
    );
    assert.equal(await s.k(['get', 'secret', '-n', ns, '-o', 'name']), '');
  });

  test('invalid field values are 422, one cause per field', async () => {
    const bad = deployment('d-values', { labels: { a: 'bad value!' }, replicas: -1, templateApp: 'y', port: 70000 });
    const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: json(bad) });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The Deployment "d-values" is invalid: \n' +
        `* metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n` +
        '* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n' +
        '* spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`\n' +
        '* spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
    );
    const raw = await requestJSON<Status>(creds, `/apis/apps/v1/namespaces/${ns}/deployments`, { method: 'POST', body: json(bad) });
    assert.equal(raw.status, 422);
    assert.deepEqual(raw.body.details?.causes?.map((c) => c.field), ['metadata.labels', 'spec.replicas', 'spec.template.metadata.labels', 'spec.template.spec.containers[0].ports[0].containerPort']);
    await assertAbsent(`/apis/apps/v1/namespaces/${ns}/deployments/d-values`);
  });

  test('null list items decode as Go zero values and are refused by validation, not a 500', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-null' }, spec: { containers: [null] } };
    const r = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: json(pod) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The Pod "p-null" is invalid: \n* spec.containers[0].name: Required value\n* spec.containers[0].image: Required value\n');
    const cases: Array<{ path: string; body: Record<string, unknown>; fields: string[] }> = [
      { path: `/api/v1/namespaces/${ns}/configmaps`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-null', finalizers: [null] } }, fields: ['metadata.finalizers[0]'] },
      { path: `/api/v1/namespaces/${ns}/pods`, body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-null-port' }, spec: { containers: [{ name: 'a', image: 'b', ports: [null] }] } }, fields: ['spec.containers[0].ports[0].containerPort'] },
    ];
    for (const c of cases) {
      const raw = await requestJSON<Status>(creds, c.path, { method: 'POST', body: json(c.body) });
      assert.equal(raw.status, 422, JSON.stringify(raw.body));
      assert.equal(raw.body.reason, 'Invalid');
      assert.deepEqual(raw.body.details?.causes?.map((x) => x.field), c.fields);
    }
    // A null managedFields entry is an empty one: the reset value, so the server records its own.
    const cm = await requestJSON<{ metadata: { managedFields?: Array<{ manager: string }> } }>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-null-mf', managedFields: [null] }, data: { a: 'b' } }) });
    assert.equal(cm.status, 201);
    assert.equal(cm.body.metadata.managedFields?.length, 1);
    await assertAbsent(`/api/v1/namespaces/${ns}/pods/p-null`);
    await assertAbsent(`/api/v1/namespaces/${ns}/configmaps/cm-null`);
  });

  test('a create carrying a resourceVersion: refused when it names a revision, ignored when it cannot', async () => {
    const cm = (name: string, rv: string) => json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv }, data: { a: 'b' } });
    // kubectl create clears the field before sending; other clients send it.
    const viaKubectl = await s.kubectl(['create', '-n', ns, '-f', '-'], { input: cm('cm-rv-kubectl', '5') });
    assert.equal(viaKubectl.code, 0, viaKubectl.stderr);
    const raw = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: cm('cm-rv', '5') });
    assert.equal(raw.status, 500);
    assert.equal(raw.body.reason, undefined);
    assert.equal(raw.body.message, 'resourceVersion should not be set on objects to be created');
    await assertAbsent(`/api/v1/namespaces/${ns}/configmaps/cm-rv`);
    // What does not parse as a revision (or is zero) is dropped, as upstream's storage does.
    for (const [name, rv] of [['cm-rv-neg', '-1'], ['cm-rv-text', 'abc'], ['cm-rv-zero', '0']]) {
      const r = await requestJSON<{ metadata: { resourceVersion: string } }>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: cm(name!, rv!) });
      assert.equal(r.status, 201, name);
      assert.match(r.body.metadata.resourceVersion, /^[1-9][0-9]*$/, name);
    }
  });

  test('an unknown field: Strict refuses, Warn warns and creates, Ignore is silent', async () => {
    const manifest = json(deployment('d-unknown', { extraSpec: { foo: 1 } }));
    const strict = await s.kubectl(['create', '-n', ns, '--validate=strict', '-f', '-'], { input: manifest });
    assert.equal(strict.code, 1);
    assert.equal(strict.stderr, 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"\n');
    await assertAbsent(`/apis/apps/v1/namespaces/${ns}/deployments/d-unknown`);

    const raw = await request(creds, `/apis/apps/v1/namespaces/${ns}/deployments?fieldValidation=Ignore&dryRun=All`, { method: 'POST', body: manifest });
    assert.equal(raw.status, 201);
    assert.equal(raw.headers.warning, undefined);

    const warn = await s.kubectl(['create', '-n', ns, '--validate=warn', '-f', '-'], { input: manifest });
    assert.equal(warn.code, 0, warn.stderr);
    assert.equal(warn.stderr, 'Warning: unknown field "spec.foo"\n');
    assert.equal(warn.stdout, 'deployment.apps/d-unknown created\n');
    const stored = JSON.parse(await s.k(['get', 'deploy', '-n', ns, 'd-unknown', '-o', 'json'])) as { spec: Record<string, unknown> };
    assert.equal(stored.spec.foo, undefined, 'the unknown field is dropped');
  });

  test('a JSON patch that does not apply is 422 and changes nothing', async () => {
    await s.k(['create', '-n', ns, '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched' }, data: { a: 'b' } }) });
    const before = JSON.parse(await s.k(['get', 'cm', '-n', ns, 'patched', '-o', 'json'])) as { metadata: { resourceVersion: string } };
    const r = await s.kubectl(['patch', 'cm', '-n', ns, 'patched', '--type=json', '-p', '[{"op":"remove","path":"/spec/x"}]']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'The request is invalid: the server rejected our request due to an error in our request\n');
    const raw = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps/patched`, {
      method: 'PATCH',
      body: '[{"op":"test","path":"/data/a","value":"not-b"}]',
      headers: { 'content-type': 'application/json-patch+json' },
    });
    assert.equal(raw.status, 422);
    assert.equal(raw.body.reason, 'Invalid');
    const afterPatch = JSON.parse(await s.k(['get', 'cm', '-n', ns, 'patched', '-o', 'json'])) as { metadata: { resourceVersion: string }; data: Record<string, string> };
    assert.equal(afterPatch.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(afterPatch.data, { a: 'b' });
  });

  test('replace with a stale resourceVersion is 409 Conflict', async () => {
    await s.k(['create', '-n', ns, '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stale' }, data: { v: '1' } }) });
    const stale = JSON.parse(await s.k(['get', 'cm', '-n', ns, 'stale', '-o', 'json'])) as { metadata: { resourceVersion: string }; data: Record<string, string> };
    assert.equal(await s.k(['label', 'cm', '-n', ns, 'stale', 'touched=yes']), 'configmap/stale labeled\n');
    stale.data.v = '2';
    const r = await s.kubectl(['replace', '-n', ns, '-f', '-'], { input: json(stale) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again\n');
    const raw = await requestJSON<Status>(creds, `/api/v1/namespaces/${ns}/configmaps/stale`, { method: 'PUT', body: json(stale) });
    assert.equal(raw.status, 409);
    assert.deepEqual({ reason: raw.body.reason, name: raw.body.details?.name, kind: raw.body.details?.kind }, { reason: 'Conflict', name: 'stale', kind: 'configmaps' });
    const now = JSON.parse(await s.k(['get', 'cm', '-n', ns, 'stale', '-o', 'json'])) as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    assert.deepEqual(now.data, { v: '1' });
    assert.deepEqual(now.metadata.labels, { touched: 'yes' });
  });

  test('creating in a missing namespace is 404 and stores nothing', async () => {
    const r = await s.kubectl(['create', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', namespace: 'nope' } }) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): error when creating "STDIN": namespaces "nope" not found\n');
    assert.equal(await s.k(['get', 'cm', '-A', '--field-selector', 'metadata.name=orphan', '-o', 'name']), '');
    // The typed client (protobuf body) takes the same path.
    const typed = await s.kubectl(['create', 'configmap', 'orphan', '-n', 'nope', '--from-literal=a=b']);
    assert.equal(typed.code, 1);
    assert.equal(typed.stderr, 'error: failed to create configmap: namespaces "nope" not found\n');
    assert.equal(await s.k(['get', 'cm', '-A', '--field-selector', 'metadata.name=orphan', '-o', 'name']), '');
    const ns404 = await s.kubectl(['get', 'ns', 'nope']);
    assert.equal(ns404.stderr, 'Error from server (NotFound): namespaces "nope" not found\n');
  });

  test('kube-system may not be deleted', async () => {
    const r = await s.kubectl(['delete', 'ns', 'kube-system']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n');
    const live = JSON.parse(await s.k(['get', 'ns', 'kube-system', '-o', 'json'])) as { metadata: { deletionTimestamp?: string }; status: { phase: string } };
    assert.equal(live.metadata.deletionTimestamp, undefined);
    assert.equal(live.status.phase, 'Active');
  });
});
