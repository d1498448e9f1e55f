/**
 * `k8ts server` started with configuration for its components: a scheduler
 * configuration file whose profiles schedule pods by `schedulerName`, and
 * the refusals of a bad file or a bad controller-manager argument (the server
 * exits with the reason instead of starting without them).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { pollUntil, tempDir } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';
const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

describe('k8ts server component configuration', { skip }, () => {
  const tmp = tempDir('k8ts-server-flags-');
  let n = 0;
  const file = (text: string) => {
    const f = path.join(tmp.dir, `config-${n++}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  const dataDir = () => path.join(tmp.dir, `data-${n++}`);
  after(() => tmp.dispose());

  test('a scheduler configuration that does not validate stops the server with the reason', async () => {
    const bad = file(`${HEAD}profiles:\n  - schedulerName: a\n    plugins:\n      filter:\n        enabled: [{ name: Nope }]\n`);
    await assert.rejects(TestServer.start({ dataDir: dataDir(), args: ['--scheduler-config', bad] }), (e: Error) => {
      assert.match(e.message, /exited with 1/);
      assert.match(e.message, /invalid scheduler configuration/);
      assert.match(e.message, /profiles\[0\]\.plugins\.filter\.enabled\[0\]: Invalid value: \\?"Nope\\?": plugin \\?"Nope\\?" does not exist/);
      return true;
    });
  });

  test('a controller-manager argument that does not parse is refused', async () => {
    await assert.rejects(TestServer.start({ dataDir: dataDir(), args: ['--kube-controller-manager-arg', 'node-monitor-grace-period=soon'] }), (e: Error) => {
      assert.match(e.message, /exited with 1/);
      assert.match(e.message, /kube-controller-manager-arg/);
      return true;
    });
  });

  describe('with two scheduler profiles', () => {
    let s: TestServer;
    before(async () => {
      const config = file(`${HEAD}profiles:\n  - schedulerName: default-scheduler\n  - schedulerName: bin-packing\n    pluginConfig:\n      - name: NodeResourcesFit\n        args:\n          scoringStrategy:\n            type: MostAllocated\n`);
      s = await TestServer.start({ dataDir: dataDir(), args: ['--sim-nodes', '1', '--scheduler-config', config] });
      await pollUntil('a node', async () => (await s.k(['get', 'nodes', '-o', 'name'])).trim() !== '');
    });
    after(async () => {
      await s?.stop();
    });

    const pod = (name: string, schedulerName: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { schedulerName, containers: [{ name: 'c', image: 'busybox' }] },
    });

    test('each profile schedules its own pods; a pod for an unknown scheduler is left alone', async () => {
      await s.k(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('packed', 'bin-packing'), pod('default', 'default-scheduler'), pod('elsewhere', 'no-such-scheduler')] }) });
      for (const name of ['packed', 'default']) {
        await pollUntil(`${name} scheduled`, async () => (await s.k(['get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}'])) !== '', { timeoutMs: 30_000 });
      }
      const events = await s.k(['get', 'events', '--field-selector', 'involvedObject.name=packed,reason=Scheduled', '-o', 'jsonpath={.items[*].reportingComponent}']);
      assert.match(events, /bin-packing/);
      assert.equal(await s.k(['get', 'pod', 'elsewhere', '-o', 'jsonpath={.spec.nodeName}{.status.phase}']), 'Pending');
      assert.equal((await s.k(['get', 'events', '--field-selector', 'involvedObject.name=elsewhere', '-o', 'name'])).trim(), '');
    });
  });
});
