/**
 * The same core scenario with kubectl 1.35 (fetched by scripts/install-test-tools.sh):
 * a newer client must find everything it relies on — aggregated discovery,
 * OpenAPI v3 for validation and explain, server-side apply, watch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, toolPath } from '../testing/server-harness.js';

const bin = toolPath('kubectl-1.35');
const skip = bin ? false : 'kubectl 1.35 not installed (run scripts/install-test-tools.sh)';

const deployment = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
`;

describe('kubectl 1.35 against k8ts', { skip }, () => {
  let s: TestServer;
  let dir: string;
  const k = (args: string[], input?: string) => s.k(args, { bin, input });
  before(async () => {
    s = await TestServer.start();
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-135-'));
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('version and discovery', async () => {
    const v = JSON.parse(await k(['version', '-o', 'json'])) as { clientVersion: { minor: string }; serverVersion: { gitVersion: string } };
    assert.equal(v.clientVersion.minor, '35');
    assert.match(v.serverVersion.gitVersion, /\+k8ts/);
    const res = await k(['api-resources', '--api-group=apps', '-o', 'name']);
    assert.match(res, /^deployments\.apps$/m);
  });

  test('client-side apply with validation, then unchanged, then configured', async () => {
    const f = path.join(dir, 'd.yaml');
    writeFileSync(f, deployment(2, 'nginx:1.25'));
    assert.equal((await k(['apply', '-f', f])).trim(), 'deployment.apps/web created');
    assert.equal((await k(['apply', '-f', f])).trim(), 'deployment.apps/web unchanged');
    writeFileSync(f, deployment(3, 'nginx:1.26'));
    assert.equal((await k(['apply', '-f', f])).trim(), 'deployment.apps/web configured');
    assert.equal(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']), '3 nginx:1.26');
  });

  test('server-side apply conflict and force', async () => {
    await k(['scale', 'deploy', 'web', '--replicas=5']);
    const f = path.join(dir, 'ssa.yaml');
    writeFileSync(f, deployment(4, 'nginx:1.26'));
    const r = await s.kubectl(['apply', '--server-side', '-f', f], { bin });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /conflict/i);
    assert.match(r.stderr, /\.spec\.replicas/);
    await k(['apply', '--server-side', '--force-conflicts', '-f', f]);
    assert.equal(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '4');
  });

  test('explain reads OpenAPI v3', async () => {
    const out = await k(['explain', 'pods.spec.containers.image']);
    assert.match(out, /FIELD: image <string>/);
  });

  test('strict validation refuses an unknown field', async () => {
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, deployment(1, 'nginx').replace('replicas: 1', 'replicas: 1\n  bogus: true'));
    const r = await s.kubectl(['apply', '-f', f], { bin });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "spec.bogus"/);
  });
});
