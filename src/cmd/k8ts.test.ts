/**
 * What the real `k8ts` command line answers to mistakes that need no cluster:
 * unknown commands and flags, flag values that do not parse (urfave/cli's
 * words and exit codes, as k3s prints them), and `k8ts sim` /
 * `k8ts explain-schedule` without a usable kubeconfig.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { errorLine, k8ts } from '../testing/cli.js';
import { freePort } from '../testing/server-harness.js';

// Each case is a process of its own; a few at a time keep a 2-core CI busy without starving it.
const parallel = { concurrency: 4 };

describe('k8ts command-line errors', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-cli-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  // A home without ~/.kube/config, so the default kubeconfig is missing.
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const missing = path.join(dir, 'no-such-kubeconfig');
  const broken = file('broken.kubeconfig', 'clusters: [\n');
  const empty = file('empty.kubeconfig', 'apiVersion: v1\nkind: Config\n');

  /** Exit 1 with urfave/cli's `Incorrect Usage: <message>` and nothing on stdout. */
  async function usageError(args: string[], message: string): Promise<void> {
    const r = await k8ts(args, { env: { HOME: home } });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `Incorrect Usage: ${message}\n\n`);
    assert.equal(r.stdout, '');
  }

  describe('commands and global flags', parallel, () => {
    test('an unknown command exits 3 with urfave/cli\'s "No help topic"', async () => {
      const r = await k8ts(['frobnicate']);
      assert.equal(r.code, 3);
      assert.equal(r.stderr, "No help topic for 'frobnicate'\n");
    });
    test('an unknown global flag is incorrect usage', () => usageError(['--bogus', 'server'], 'flag provided but not defined: -bogus'));
  });

  describe('flag parsing (shared by every command)', parallel, () => {
    test('an unknown flag', () => usageError(['server', '--nope'], 'flag provided but not defined: -nope'));
    test('an unknown single-dash flag', () => usageError(['agent', '-x'], 'flag provided but not defined: -x'));
    test('a flag without its value', () => usageError(['sim', '--kubeconfig'], 'flag needs an argument: -kubeconfig'));
    test('an int flag that does not parse', () => usageError(['sim', '--nodes', 'three'], 'invalid value "three" for flag -nodes: parse error'));
    test('a bool flag that does not parse', () => usageError(['server', '--disable-agent=maybe'], 'invalid boolean value "maybe" for -disable-agent: parse error'));
  });

  describe('k8ts sim', parallel, () => {
    test('an argument', () => usageError(['sim', 'extra'], 'unexpected argument: extra'));
    test('--nodes 0', () => usageError(['sim', '--nodes', '0'], 'invalid value "0" for flag -nodes: must be at least 1'));
    test('--start-index below 0', () => usageError(['sim', '--start-index', '-1'], 'invalid value "-1" for flag -start-index: must be 0 or more'));
    test('an unknown --log-level', () => usageError(['sim', '--log-level', 'loud'], 'invalid value "loud" for flag -log-level: must be one of error, warn, info, debug, trace'));
    // Flags are checked before the kubeconfig is read, so these say what is wrong with them.
    test('a --cluster-cidr that is not a CIDR', () => usageError(['sim', '--kubeconfig', missing, '--cluster-cidr', '10.244.0.0'], 'invalid IPv4 CIDR "10.244.0.0": expected a.b.c.d/n with n between 1 and 30'));
    test('a --node-cpu that is not a quantity', () => usageError(['sim', '--kubeconfig', missing, '--node-cpu', 'lots'], `invalid value "lots" for flag -node-cpu: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`));
    test('a --node-label without =', () => usageError(['sim', '--kubeconfig', missing, '--node-label', 'gpu'], 'invalid value "gpu" for flag -node-label: want key=value'));
    test('a --node-taint without an effect', () => usageError(['sim', '--kubeconfig', missing, '--node-taint', 'gpu=yes'], 'invalid value "gpu=yes" for flag -node-taint: want key[=value]:NoSchedule|PreferNoSchedule|NoExecute'));
    test('a --node-lease-duration-seconds of 0', () => usageError(['sim', '--kubeconfig', missing, '--node-lease-duration-seconds', '0'], 'invalid value "0" for flag -node-lease-duration-seconds: must be a positive integer'));

    test('without a kubeconfig (none given, none in ~/.kube)', async () => {
      const r = await k8ts(['sim'], { env: { HOME: home } });
      assert.equal(r.code, 1);
      const want = path.join(home, '.kube', 'config');
      assert.match(errorLine(r.stderr), new RegExp(`^E.* "cannot load kubeconfig" file=${want} err="cannot read kubeconfig ${want}: ENOENT: no such file or directory`));
    });
    test('a kubeconfig that does not parse', async () => {
      const r = await k8ts(['sim', '--kubeconfig', broken]);
      assert.equal(r.code, 1);
      assert.match(errorLine(r.stderr), /"cannot load kubeconfig" file=\S+broken.kubeconfig err="invalid kubeconfig: /);
    });
    test('a kubeconfig without a cluster (from $KUBECONFIG), in kubectl\'s words', async () => {
      const r = await k8ts(['sim'], { env: { KUBECONFIG: empty } });
      assert.equal(r.code, 1);
      assert.match(errorLine(r.stderr), /"cannot load kubeconfig" file=\S+empty.kubeconfig err="invalid configuration: no configuration has been provided"$/);
    });
  });

  describe('k8ts explain-schedule', parallel, () => {
    test('without a pod name', () => usageError(['explain-schedule'], 'expected exactly one pod name'));
    test('with two pod names', () => usageError(['explain-schedule', 'a', 'b'], 'expected exactly one pod name'));
    test('without a kubeconfig', async () => {
      const r = await k8ts(['explain-schedule', 'web'], { env: { HOME: home } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^error: cannot read kubeconfig ${path.join(home, '.kube', 'config')}: ENOENT: no such file or directory`));
    });
    test('a kubeconfig that does not parse', async () => {
      const r = await k8ts(['explain-schedule', '--kubeconfig', broken, 'web']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: invalid kubeconfig: /);
    });
    test('a server that refuses the connection, in kubectl\'s words', async () => {
      const port = await freePort();
      const kc = file(
        'offline.kubeconfig',
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
      );
      const r = await k8ts(['explain-schedule', '--kubeconfig', kc, 'web']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?\n`);
    });
  });
});
