/**
 * `k8ts agent` refuses what it cannot join with, as the real command line,
 * without a cluster: missing or malformed flags are incorrect usage (exit 1),
 * an unreadable token file, a token that is not one, a server that does not
 * answer and a host without a container runtime are logged and exit 1, and
 * `--cleanup` that cannot reach its runtime keeps the state for a later run.
 * A token the server refuses (wrong secret or CA hash, a node name taken) is
 * in src/e2e/agent.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { errorLine, k8ts } from '../testing/cli.js';
import { freePort } from '../testing/server-harness.js';

const parallel = { concurrency: 4 };

// The two groups run side by side, so --cleanup's wait for its runtime overlaps everything else.
describe('k8ts agent refuses bad input', { concurrency: 2 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const dataDir = () => path.join(dir, `data-${n++}`);
  const server = 'https://127.0.0.1:6443';

  async function agent(args: string[], env: Record<string, string> = {}) {
    return k8ts(['agent', '--data-dir', dataDir(), ...args], { env });
  }

  async function usageError(args: string[], message: string): Promise<void> {
    const r = await agent(args);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `Incorrect Usage: ${message}\n\n`);
  }

  describe('flags', parallel, () => {
    test('an argument', () => usageError(['extra'], 'unexpected argument: extra'));
    test('an unknown --log-level', () => usageError(['--log-level', 'loud'], 'invalid value "loud" for flag -log-level: must be one of error, warn, info, debug, trace'));
    test('without --server', () => usageError(['--token', 'secret'], '--server is required'));
    test('a --server that is not https', () => usageError(['--server', 'http://127.0.0.1:6443', '--token', 'secret'], '--server must be an https:// URL, got "http://127.0.0.1:6443"'));
    test('without --token or --token-file', () => usageError(['--server', server], '--token or --token-file is required'));
    test('a --node-labels entry without =', () => usageError(['--server', server, '--token', 'secret', '--node-labels', 'gpu'], '--node-labels: invalid label "gpu": want key=value'));
    test('a --node-labels value that is not a label value', () => usageError(['--server', server, '--token', 'secret', '--node-label', 'team=a b'], '--node-labels: invalid label value "a b" for key "team": must be 63 characters or less, alphanumeric, \'-\', \'_\' or \'.\''));
    test('a --node-taints entry without an effect, in kubelet\'s words', () => usageError(['--server', server, '--token', 'secret', '--node-taints', 'gpu=yes'], '--node-taints: invalid taint spec: gpu=yes'));
    test('a --node-taints effect that does not exist, in kubelet\'s words', () => usageError(['--server', server, '--token', 'secret', '--node-taint', 'gpu=yes:Never'], '--node-taints: invalid taint effect: Never, unsupported taint effect'));
    test('a --node-ip that is not an IP', () => usageError(['--server', server, '--token', 'secret', '--node-ip', 'node-1'], 'invalid value "node-1" for flag -node-ip: must be an IP address'));
    test('a --bind-address that is not an IP', () => usageError(['--server', server, '--token', 'secret', '--bind-address', 'localhost'], 'invalid value "localhost" for flag -bind-address: must be an IP address'));
    test('a --kubelet-port out of range', () => usageError(['--server', server, '--token', 'secret', '--kubelet-port', '65536'], 'invalid value "65536" for flag -kubelet-port: must be a port number between 0 and 65535'));
  });

  describe('what fails when the agent runs', parallel, () => {
    async function fails(args: string[], line: RegExp, env: Record<string, string> = {}): Promise<void> {
      const r = await agent(args, env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(errorLine(r.stderr), line);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    // First: it waits 10s for the runtime, while the others run.
    test('--cleanup that cannot reach its CRI runtime fails and keeps the state', async () => {
      const data = dataDir();
      const state = path.join(data, 'agent', 'cri-endpoint');
      const socket = path.join(dir, 'no-runtime.sock');
      mkdirSync(path.dirname(state), { recursive: true });
      writeFileSync(state, `unix://${socket}\n`);
      const r = await k8ts(['agent', '--data-dir', data, '--cleanup']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(errorLine(r.stderr), new RegExp(`"cleanup incomplete" err="cri runtime: the runtime at unix://${socket} does not answer: `));
      assert.ok(existsSync(state), 'the state stays for a later --cleanup');
    });
    test('a --token-file that does not exist', () => {
      const f = path.join(dir, 'no-token');
      return fails(['--server', server, '--token-file', f], new RegExp(`"cannot read the token file" file=${f} err="ENOENT: no such file or directory`));
    });
    test('an empty --token-file (from $K8TS_TOKEN_FILE)', () => {
      const f = path.join(dir, 'empty-token');
      writeFileSync(f, '\n');
      return fails(['--server', server], new RegExp(`"cannot read the token file" file=${f} err="the file is empty"`), { K8TS_TOKEN_FILE: f });
    });
    test('a token with spaces', () => fails(['--server', server, '--token', 'two words', '--container-runtime-endpoint', 'sim'], /"cannot join the cluster" server=https:\/\/127.0.0.1:6443 err="invalid token format"$/));
    test('a K10 token without its parts', () => fails(['--server', server, '--token', 'K10abc::server:x', '--container-runtime-endpoint', 'sim'], /"cannot join the cluster" .*err="invalid token format: want K10<sha256 hex>::<user>:<secret>"$/));
    test('a server nobody listens on', async () => {
      const url = `https://127.0.0.1:${await freePort()}`;
      return fails(['--server', url, '--token', 'secret', '--container-runtime-endpoint', 'sim'], new RegExp(`"cannot join the cluster" server=${url} err="cannot reach ${url}: connect ECONNREFUSED`));
    });
    test('no container runtime: the oci runtime needs root and runc', () =>
      // Without runc on PATH the built-in runtime is unusable for root and non-root alike.
      fails(['--server', server, '--token', 'secret'], /no container runtime: the oci runtime needs (root|runc on PATH \(apt-get install runc\)); use --container-runtime-endpoint sim or a CRI socket/, { PATH: '' }));
  });
});
