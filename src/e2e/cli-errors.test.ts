/**
 * Command-line mistakes only a running cluster can reveal, against one real
 * `k8ts server`: `k8ts explain-schedule` of a pod that does not exist answers
 * with the server's NotFound in kubectl's words. (Mistakes found without a
 * cluster are in src/cmd/*.test.ts; agents the server refuses, in agent.test.ts.)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { k8ts } from '../testing/cli.js';
import { TestServer } from '../testing/server-harness.js';
import { tempDir } from './kubectl-helpers.js';

describe('k8ts commands against a running server', () => {
  const tmp = tempDir('k8ts-cli-errors-e2e-');
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ dataDir: path.join(tmp.dir, 'data') });
  });
  after(async () => {
    await s?.stop();
    tmp.dispose();
  });

  test('explain-schedule of a pod that does not exist', async () => {
    const r = await k8ts(['explain-schedule', 'no-such-pod'], { env: { KUBECONFIG: s.kubeconfig } });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, 'Error from server (NotFound): pods "no-such-pod" not found\n');
    assert.equal(r.stdout, '');
  });

  test('explain-schedule in a namespace that does not exist', async () => {
    const r = await k8ts(['explain-schedule', '--kubeconfig', s.kubeconfig, '-n', 'no-such-namespace', 'web']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, 'Error from server (NotFound): pods "web" not found\n');
  });
});
