/**
 * `k8ts server` refuses what it cannot run with, as the real command line:
 * a flag value that does not parse is incorrect usage (exit 1) found before
 * anything is created, a file that cannot be read or parsed is logged and
 * exits 1 the same way, and what can only fail when the server starts (data
 * dir, datastore, port, kubeconfig) exits 1 with the reason instead of a
 * stack trace. Configuration that reaches the components (scheduler profiles,
 * controller-manager arguments) is in src/e2e/server-flags.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { errorLine, k8ts } from '../testing/cli.js';
import { freePort } from '../testing/server-harness.js';
import { lockDataDir } from './data-dir.js';

const parallel = { concurrency: 4 };

describe('k8ts server refuses bad input', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-server-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const dataDir = () => path.join(dir, `data-${n++}`);
  const file = (text: string) => {
    const f = path.join(dir, `file-${n++}`);
    writeFileSync(f, text);
    return f;
  };
  // A regular file: nothing can be created under it, whoever runs the tests (root included).
  const notADir = file('');

  /** `k8ts server` on a free loopback port with its own data dir, without a local agent unless `agent`. */
  async function server(args: string[], o: { agent?: boolean; dataDir?: string } = {}) {
    const data = o.dataDir ?? dataDir();
    const r = await k8ts(['server', '--data-dir', data, '--https-listen-port', String(await freePort()), '--bind-address', '127.0.0.1', ...(o.agent ? ['--container-runtime-endpoint', 'sim'] : ['--disable-agent']), ...args]);
    return { ...r, data };
  }

  /** Incorrect usage, exit 1, and the data dir was never created. */
  async function usageError(args: string[], message: string, o: { agent?: boolean } = {}): Promise<void> {
    const r = await server(args, o);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `Incorrect Usage: ${message}\n\n`);
    assert.equal(existsSync(r.data), false, 'nothing is created for a command line that is refused');
  }

  describe('flag values', parallel, () => {
    test('an argument', () => usageError(['extra'], 'unexpected argument: extra'));
    test('an unknown --log-level', () => usageError(['--log-level', 'loud'], 'invalid value "loud" for flag -log-level: must be one of error, warn, info, debug, trace'));
    test('an --https-listen-port out of range', () => usageError(['--https-listen-port', '70000'], 'invalid value "70000" for flag -https-listen-port: must be a port number between 0 and 65535'));
    test('a negative --kubelet-port', () => usageError(['--kubelet-port', '-1'], 'invalid value "-1" for flag -kubelet-port: must be a port number between 0 and 65535'));
    test('a --bind-address that is not an IP', () => usageError(['--bind-address', '999.1.1.1'], 'invalid value "999.1.1.1" for flag -bind-address: must be an IP address'));
    test('an --advertise-address that is not an IP', () => usageError(['--advertise-address', 'api.example'], 'invalid value "api.example" for flag -advertise-address: must be an IP address'));
    test('a --node-ip that is not an IP', () => usageError(['--node-ip', '10.0.0'], 'invalid value "10.0.0" for flag -node-ip: must be an IP address'));
    test('a --cluster-dns that is not an IP', () => usageError(['--cluster-dns', 'dns'], 'invalid value "dns" for flag -cluster-dns: must be an IP address'));
    test('a --service-cidr with a prefix over 32', () => usageError(['--service-cidr', '10.0.0.0/33'], 'invalid IPv4 CIDR "10.0.0.0/33": expected a.b.c.d/n with n between 1 and 30'));
    test('a --cluster-cidr that is not a CIDR', () => usageError(['--cluster-cidr', 'pods'], 'invalid IPv4 CIDR "pods": expected a.b.c.d/n with n between 1 and 30'));
    test('a --service-node-port-range upside down', () => usageError(['--service-node-port-range', '32767-30000'], 'invalid port range "32767-30000": expected MIN-MAX'));
    test('an unsupported --datastore-endpoint', () => usageError(['--datastore-endpoint', 'mysql://root@tcp(127.0.0.1)/k'], 'unsupported datastore endpoint "mysql://root@tcp(127.0.0.1)/k": want "sqlite", "sqlite:///abs/path.db", "memory" or "http(s)://host:port[,...]" for etcd'));
    test('a relative sqlite --datastore-endpoint', () => usageError(['--datastore-endpoint', 'sqlite://state.db'], 'invalid datastore endpoint "sqlite://state.db": the sqlite path must be absolute (sqlite:///abs/path.db)'));
    test('an etcd --datastore-endpoint list with a bad member', () => usageError(['--datastore-endpoint', 'http://a:2379,mysql://b'], 'invalid datastore endpoint "http://a:2379,mysql://b": etcd: invalid endpoint "mysql://b": scheme must be http or https'));
    test('a --token that is not a token (without echoing it)', () => usageError(['--token', 'K10abc::server:s3cret'], 'invalid value for flag -token: invalid token format: CA hash is not a hex sha256'));
    test('a negative --sim-nodes', () => usageError(['--sim-nodes', '-1'], 'invalid value "-1" for flag -sim-nodes: must be 0 or more'));
    test('a --node-cpu that is not a quantity (simulated nodes)', () => usageError(['--sim-nodes', '1', '--node-cpu', '2 cores'], `invalid value "2 cores" for flag -node-cpu: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`));
    test('a --node-label without = (simulated nodes)', () => usageError(['--sim-nodes', '1', '--node-label', 'gpu'], 'invalid value "gpu" for flag -node-label: want key=value'));
    test('a --node-taint with an unknown effect (simulated nodes)', () => usageError(['--sim-nodes', '1', '--node-taint', 'gpu=yes:Sometimes'], 'invalid value "gpu=yes:Sometimes" for flag -node-taint: want key[=value]:NoSchedule|PreferNoSchedule|NoExecute'));
    test('a --node-lease-duration-seconds of 0 (simulated nodes)', () => usageError(['--sim-nodes', '1', '--node-lease-duration-seconds', '0'], 'invalid value "0" for flag -node-lease-duration-seconds: must be a positive integer'));
    test('a --node-label key that is not a qualified name (local agent)', () => usageError(['--node-label', 'bad key=x'], '--node-label: invalid label key "bad key": must be a qualified name', { agent: true }));
    test('a --node-taint with an unknown effect, in kubelet\'s words (local agent)', () => usageError(['--node-taint', 'gpu=yes:Never'], '--node-taint: invalid taint effect: Never, unsupported taint effect', { agent: true }));
    test('an unknown --kube-controller-manager-arg', () => usageError(['--kube-controller-manager-arg', 'node-monitor-period-typo=5s'], 'kube-controller-manager-arg: unknown flag: --node-monitor-period-typo'));
  });

  describe('files named by flags', parallel, () => {
    /** Logged as an error, exit 1, and the data dir was never created. */
    async function fileError(args: string[], line: RegExp): Promise<void> {
      const r = await server(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(errorLine(r.stderr), line);
      assert.equal(existsSync(r.data), false);
    }
    test('a --token-auth-file that does not exist', () => {
      const f = path.join(dir, 'no-tokens.csv');
      return fileError(['--token-auth-file', f], new RegExp(`"cannot load token auth file" err="reading token file '${f}': ENOENT: no such file or directory`));
    });
    test('a --token-auth-file with a short line, in kube-apiserver\'s words', () => {
      const f = file('tok3n\n');
      return fileError(['--token-auth-file', f], new RegExp(`"cannot load token auth file" err="token file '${f}' line 1 must have at least 3 columns \\(token, user name, user uid\\), found 1"`));
    });
    test('a --scheduler-config that does not exist', () => {
      const f = path.join(dir, 'no-scheduler.yaml');
      return fileError(['--scheduler-config', f], new RegExp(`"cannot read scheduler configuration" file=${f} err="ENOENT: no such file or directory`));
    });
    test('a --scheduler-config that is not YAML', () => {
      const f = file('profiles: [\n');
      return fileError(['--scheduler-config', f], new RegExp(`"invalid scheduler configuration" file=${f} errors="error decoding configuration: `));
    });
  });

  describe('failures at start-up', parallel, () => {
    /** Logged as an error and exit 1, without a stack trace. */
    async function startError(args: string[], line: RegExp, o: { dataDir?: string } = {}): Promise<void> {
      const r = await server(args, o);
      assert.equal(r.code, 1, r.stderr);
      assert.match(errorLine(r.stderr), line);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(r.stdout, /export KUBECONFIG/);
    }
    test('a --data-dir that cannot be created', () => {
      const d = path.join(notADir, 'data');
      return startError([], new RegExp(`"cannot create the data dir" dir=${d} err="ENOTDIR: not a directory`), { dataDir: d });
    });
    test('an etcd --datastore-endpoint nobody listens on', async () => {
      const port = await freePort();
      return startError(['--datastore-endpoint', `http://127.0.0.1:${port}`], new RegExp(`"cannot open the datastore" endpoint=http://127.0.0.1:${port} err="cannot reach etcd at http://127.0.0.1:${port}: .*ECONNREFUSED`));
    });
    test('an https etcd whose --datastore-cafile does not exist', async () => {
      const ca = path.join(dir, 'no-ca.pem');
      return startError(['--datastore-endpoint', `https://127.0.0.1:${await freePort()}`, '--datastore-cafile', ca], new RegExp(`"cannot open the datastore" .*err="ENOENT: no such file or directory, open '${ca}'"`));
    });
    test('a sqlite --datastore-endpoint that cannot be created', () => startError(['--datastore-endpoint', `sqlite://${notADir}/state.db`], /"cannot open the datastore" endpoint=sqlite:\/\/\S+ err="E(EXIST|NOTDIR)/));
    test('an --https-listen-port in use', async () => {
      const held = net.createServer();
      await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
      const port = (held.address() as net.AddressInfo).port;
      try {
        await startError(['--https-listen-port', String(port)], new RegExp(`"cannot serve the API" address=127.0.0.1:${port} err="listen EADDRINUSE: address already in use 127.0.0.1:${port}"`));
      } finally {
        await new Promise((resolve) => held.close(resolve));
      }
    });
    test('a data dir another server or agent is using', async () => {
      const d = dataDir();
      mkdirSync(d, { recursive: true });
      const msg = (role: string) => new RegExp(`"the data dir ${d} is in use by another k8ts ${role}: stop it first, or pick another --data-dir" dir=${d}`);
      // Held here as a running server holds it.
      const held = lockDataDir(d, 'server');
      assert.ok(held.ok);
      try {
        await startError([], msg('server'), { dataDir: d });
      } finally {
        held.release();
      }
      // A server with a local agent also needs the agent's lock; agent --cleanup too.
      const agent = lockDataDir(d, 'agent');
      assert.ok(agent.ok);
      try {
        const r = await server([], { dataDir: d, agent: true });
        assert.equal(r.code, 1, r.stderr);
        assert.match(errorLine(r.stderr), msg('agent'));
        const c = await k8ts(['agent', '--data-dir', d, '--cleanup']);
        assert.equal(c.code, 1, c.stderr);
        assert.match(errorLine(c.stderr), msg('agent'));
      } finally {
        agent.release();
      }
      // Released (as the kernel releases it when a holder dies), the dir is free again.
      const again = lockDataDir(d, 'server');
      assert.ok(again.ok);
      if (again.ok) again.release();
    });
    test('a data dir whose lock cannot be taken', () => {
      const d = dataDir();
      mkdirSync(path.join(d, 'server.lock'), { recursive: true });
      return startError([], new RegExp(`"cannot lock the data dir ${d} \\(${d}/server\\.lock\\): unable to open database file" dir=${d}`), { dataDir: d });
    });
    test('a --write-kubeconfig that cannot be written', () => startError(['--write-kubeconfig', path.join(notADir, 'kubeconfig')], new RegExp(`"cannot write kubeconfig" file=${notADir}/kubeconfig err="E(EXIST|NOTDIR)`)));
  });
});
