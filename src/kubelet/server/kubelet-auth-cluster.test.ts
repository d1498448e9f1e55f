/**
 * Node identity end to end against a real `k8ts server`: agents join with
 * node passwords (a second agent under a taken name is refused, deleting the
 * Node frees it), a node's certificate is held to its own Node by
 * NodeRestriction, and kubectl logs/exec reach a kubelet that authorizes the
 * API server's kubelet client certificate with SubjectAccessReviews.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HTTP2Transport } from '../../client/rest/http2-transport.js';
import { RESTClient } from '../../client/rest/rest-client.js';
import { FakeClock } from '../../machinery/clock.js';
import { silentLogger } from '../../machinery/log.js';
import { kubeconfigYAML } from '../../machinery/pki/kubeconfig.js';
import { TestServer, kubectlPath } from '../../testing/server-harness.js';
import { type NodeCredentials, joinCluster } from '../node/join.js';
import { FakeRuntime } from './fake-runtime.js';
import { WebhookAuthorizer, subjectAccessReviewer } from './kubelet-auth.js';
import { KubeletServer } from './kubelet-server.js';

const skip = !kubectlPath() ? 'kubectl is not installed' : false;

describe('node identity against k8ts server', { skip }, () => {
  const suffix = randomBytes(3).toString('hex');
  const nodeName = `auth-${suffix}`;
  const otherNode = `other-${suffix}`;
  let server: TestServer;
  let dir: string;
  let token: string;
  let creds: NodeCredentials;
  let nodeKubeconfig: string;
  let kubelet: KubeletServer | undefined;
  let transport: HTTP2Transport | undefined;

  const join = (agent: 'a' | 'b') =>
    joinCluster({
      server: server.url,
      token,
      nodeName,
      dir: path.join(dir, agent, 'tls'),
      servingSANs: { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] },
      passwordFile: path.join(dir, agent, 'node-password'),
    });
  const asNode = (args: string[], input?: string) => server.kubectl(args, { input, env: { KUBECONFIG: nodeKubeconfig } });
  const secretExists = async () => (await server.kubectl(['get', 'secret', '-n', 'kube-system', `${nodeName}.node-password.k8ts`, '-o', 'name'])).code === 0;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-node-auth-'));
    server = await TestServer.start({ args: ['--disable-scheduler', '--disable-controller-manager'] });
    token = readFileSync(path.join(server.dataDir, 'node-token'), 'utf8').trim();
  });
  after(async () => {
    await kubelet?.stop();
    transport?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first agent pins the name; a second agent under it is refused; the first joins again', async () => {
    const a = await join('a');
    assert.ok(a.ok, a.ok ? '' : a.message);
    creds = a.value;
    assert.ok(await secretExists());
    const b = await join('b');
    assert.equal(b.ok, false);
    assert.match(b.ok ? '' : b.message, new RegExp(`^the server refused this node's password \\(403 Forbidden\\): node password rejected for node "${nodeName}"`));
    const again = await join('a');
    assert.ok(again.ok, again.ok ? '' : again.message);
    creds = again.value;
    nodeKubeconfig = path.join(dir, 'node.kubeconfig');
    writeFileSync(nodeKubeconfig, kubeconfigYAML({ server: server.url, caPEM: creds.caPEM, clientCertPEM: creds.client.certPEM, clientKeyPEM: creds.client.keyPEM }), { mode: 0o600 });
  });

  test('a node certificate writes its own Node, not another one, and no role labels', async () => {
    const node = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
    const own = await asNode(['create', '-f', '-'], node(nodeName));
    assert.equal(own.code, 0, own.stderr);
    await server.k(['create', '-f', '-'], { input: node(otherNode) });
    const other = await asNode(['label', 'node', otherNode, 'x=y']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, new RegExp(`nodes "${otherNode}" is forbidden: node "${nodeName}" is not allowed to modify node "${otherNode}"`));
    const role = await asNode(['label', 'node', nodeName, 'node-role.kubernetes.io/worker=']);
    assert.notEqual(role.code, 0);
    assert.match(role.stderr, /is forbidden: is not allowed to modify labels: node-role\.kubernetes\.io\/worker/);
    const taint = await asNode(['taint', 'node', nodeName, 'k=v:NoSchedule']);
    assert.notEqual(taint.code, 0);
    assert.match(taint.stderr, new RegExp(`node "${nodeName}" is not allowed to modify taints`));
    const plain = await asNode(['label', 'node', nodeName, 'team=a']);
    assert.equal(plain.code, 0, plain.stderr);
  });

  test('kubectl logs and exec reach the kubelet as kube-apiserver-kubelet-client, authorized by a SubjectAccessReview', async () => {
    const fake = new FakeRuntime(path.join(dir, 'runtime'));
    transport = new HTTP2Transport({ server: server.url, caPEM: creds.caPEM, certPEM: creds.client.certPEM, keyPEM: creds.client.keyPEM });
    const reviews: Record<string, unknown>[] = [];
    const review = subjectAccessReviewer(new RESTClient(transport));
    const authorizer = new WebhookAuthorizer({
      clock: new FakeClock(),
      review: async (spec) => {
        reviews.push(spec);
        return review(spec);
      },
    });
    kubelet = new KubeletServer({ runtime: fake, tls: { certPEM: creds.serving.certPEM, keyPEM: creds.serving.keyPEM, clientCAPEM: creds.caPEM }, bindAddress: '127.0.0.1', port: 0, logger: silentLogger, nodeName, authorize: authorizer.asAuthorize(), logPollMs: 50 });
    await kubelet.start();
    // The node reports where its kubelet listens, with its own identity (NodeRestriction admits it).
    const status = { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } };
    const patched = await asNode(['patch', 'node', nodeName, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    assert.equal(patched.code, 0, patched.stderr);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { nodeName, containers: [{ name: 'app', image: 'busybox' }] } };
    await server.k(['create', '-f', '-'], { input: JSON.stringify(pod) });
    const running = await asNode(['patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running' } })]);
    assert.equal(running.code, 0, running.stderr);
    const uid = (await server.k(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const ids = fake.addPod({ namespace: 'default', name: 'web', uid, containers: ['app'] });
    fake.log(ids.app!, 'stdout', 'hello through the kubelet client certificate');

    const logs = await server.kubectl(['logs', 'web']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'hello through the kubelet client certificate\n');
    const exec = await server.kubectl(['exec', 'web', '--', 'echo', 'exec works']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, 'exec works\n');
    assert.ok(reviews.length >= 1);
    for (const spec of reviews) {
      assert.deepEqual(spec, {
        resourceAttributes: { verb: (spec.resourceAttributes as { verb: string }).verb, version: 'v1', resource: 'nodes', subresource: 'proxy', name: nodeName },
        user: 'kube-apiserver-kubelet-client',
        groups: ['kubeadm:cluster-admins', 'system:authenticated'],
      });
    }
  });

  test('deleting the Node removes its password record, and another agent may take the name', async () => {
    await server.k(['delete', 'node', nodeName]);
    const deadline = Date.now() + 15_000;
    while (await secretExists()) {
      assert.ok(Date.now() < deadline, 'the node password Secret outlived its Node');
      await new Promise((r) => setTimeout(r, 200));
    }
    const b = await join('b');
    assert.ok(b.ok, b.ok ? '' : b.message);
    const a = await join('a');
    assert.equal(a.ok, false, 'the first agent lost the name');
  });
});
