/**
 * The first minute of a user's life with k8ts, through the real kubectl:
 * start, version, discovery, create and read back, restart with state kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

describe('smoke: kubectl against k8ts server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    await s?.stop();
  });

  test('version reports the server', async () => {
    const out = await s.k(['version', '-o', 'json']);
    const v = JSON.parse(out) as { serverVersion: { major: string; minor: string; gitVersion: string } };
    assert.equal(v.serverVersion.major, '1');
    assert.match(v.serverVersion.gitVersion, /^v1\.\d+\.\d+\+k8ts/);
  });

  test('bootstrap namespaces and the kubernetes service exist', async () => {
    const ns = await s.k(['get', 'ns', '-o', 'name']);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`namespace/${n}\\b`));
    const ip = await s.k(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.equal(ip, '10.96.0.1');
  });

  test('a configmap survives a restart', async () => {
    await s.k(['create', 'configmap', 'keep', '--from-literal=a=b']);
    await s.restart();
    assert.equal(await s.k(['get', 'cm', 'keep', '-o', 'jsonpath={.data.a}']), 'b');
  });
});
