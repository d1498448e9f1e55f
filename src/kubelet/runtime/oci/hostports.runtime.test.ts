import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContainerConfig, PodSandboxConfig, PortMapping } from '../interface.js';
import { hostportChains, sandboxChain } from './hostports.js';
import { netnsName } from './network.js';
import { createOciTestEnv, ociSkipReason, type OciTestEnv } from './test-env.js';

const skip = ociSkipReason();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port no socket of this host uses right now, for both TCP and UDP. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '0.0.0.0', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '0.0.0.0', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** The body of `GET /` at host:port, or the connection error's code. */
function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const chunks: Buffer[] = [];
    sock.setTimeout(3_000, () => sock.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    sock.on('connect', () => sock.end('GET /index.html HTTP/1.0\r\n\r\n'));
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    sock.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString());
    });
  });
}

function udpAsk(host: string, port: number, text: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, 1_000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString());
    });
    s.on('error', () => {});
    s.send(text, port, host);
  });
}

/** The host's first non-loopback IPv4 address: what the node advertises. */
function nodeAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const natRules = () => execFileSync('iptables', ['-w', '5', '-t', 'nat', '-S'], { encoding: 'utf8' });

describe('hostPort on the oci runtime', { skip: skip ?? false }, () => {
  let env: OciTestEnv;
  const rt = () => env.runtime.runtime;
  const pods = new Set<string>();
  const children = new Set<ChildProcess>();
  const nodeIP = nodeAddress();

  before(() => {
    env = createOciTestEnv();
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const id of pods) await rt().removePodSandbox(id).catch(() => {});
    await env?.cleanup();
  });

  const sandboxConfig = (portMappings: PortMapping[]): PodSandboxConfig => {
    const uid = randomBytes(6).toString('hex');
    return {
      metadata: { name: `hp-${uid}`, namespace: 'hostports', uid, attempt: 0 },
      hostname: `hp-${uid}`,
      logDirectory: path.join(env.work, 'logs', uid),
      portMappings,
      labels: {},
      annotations: {},
      linux: { security: { hostNetwork: false } },
    };
  };

  const web = (name: string): ContainerConfig => ({
    metadata: { name, attempt: 0 },
    image: env.image,
    command: ['sh', '-c', `mkdir -p /tmp/www && echo served-by-${name} > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {},
  });

  const webPod = async (name: string, portMappings: PortMapping[]) => {
    const cfg = sandboxConfig(portMappings);
    const id = await rt().runPodSandbox(cfg);
    pods.add(id);
    const c = await rt().createContainer(id, web(name), cfg);
    await rt().startContainer(c);
    return id;
  };

  const removePod = async (id: string) => {
    await rt().removePodSandbox(id);
    pods.delete(id);
  };

  const served = (host: string, port: number, name: string) =>
    waitFor(`served-by-${name} on ${host}:${port}`, async () => ((await httpGet(host, port)).includes(`served-by-${name}`) ? true : undefined));

  test('TCP: reached over 127.0.0.1 and the node address; the rules leave with the sandbox', async () => {
    const port = await freePort();
    const id = await webPod('tcp', [{ protocol: 'TCP', containerPort: 8080, hostPort: port }]);
    await served('127.0.0.1', port, 'tcp');
    if (nodeIP) await served(nodeIP, port, 'tcp');
    assert.ok(natRules().includes(`-N ${sandboxChain(id)}`), 'the sandbox has its own chain');
    await removePod(id);
    const rules = natRules();
    assert.ok(!rules.includes(sandboxChain(id)), 'no rule or chain of the sandbox is left');
    assert.match(await httpGet('127.0.0.1', port), /^error ECONNREFUSED/);
  });

  test('hostIP: only that address forwards', { skip: nodeIP ? false : 'the host has no non-loopback IPv4 address' }, async () => {
    const port = await freePort();
    const id = await webPod('loopback', [{ protocol: 'TCP', containerPort: 8080, hostPort: port, hostIP: '127.0.0.1' }]);
    try {
      await served('127.0.0.1', port, 'loopback');
      assert.match(await httpGet(nodeIP!, port), /^error ECONNREFUSED/, 'the node address is not forwarded');
    } finally {
      await removePod(id);
    }
  });

  test('UDP: datagrams reach the pod over 127.0.0.1 and the node address', async () => {
    const port = await freePort();
    const cfg = sandboxConfig([{ protocol: 'UDP', containerPort: 5353, hostPort: port }]);
    const id = await rt().runPodSandbox(cfg);
    pods.add(id);
    try {
      // busybox has no UDP server: an echo server of our own in the pod's network namespace.
      const echo = spawn('ip', ['netns', 'exec', netnsName(id), process.execPath, '-e',
        "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('echo '+m,r.port,r.address));s.bind(5353,()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.add(echo);
      await new Promise<void>((resolve, reject) => {
        echo.stdout!.once('data', () => resolve());
        echo.once('exit', (code) => reject(new Error(`the echo server exited with ${code}`)));
      });
      for (const host of ['127.0.0.1', ...(nodeIP ? [nodeIP] : [])]) {
        assert.equal(await waitFor(`a UDP answer from ${host}`, () => udpAsk(host, port, 'ping')), 'echo ping', host);
      }
      echo.kill('SIGKILL');
      children.delete(echo);
    } finally {
      await removePod(id);
    }
  });

  test('a second sandbox asking for a hostPort in use is refused; another protocol or a freed port is fine', async () => {
    const port = await freePort();
    const first = sandboxConfig([{ protocol: 'TCP', containerPort: 80, hostPort: port }]);
    const a = await rt().runPodSandbox(first);
    pods.add(a);
    const before = (await rt().listPodSandbox()).length;
    await assert.rejects(
      rt().runPodSandbox(sandboxConfig([{ protocol: 'TCP', containerPort: 81, hostPort: port, hostIP: '127.0.0.1' }])),
      new RegExp(`hostPort ${port}/TCP on 127\\.0\\.0\\.1 is already allocated to pod hostports/${first.metadata.name} on this node`),
    );
    assert.equal((await rt().listPodSandbox()).length, before, 'the refused sandbox left no record');
    const udp = await rt().runPodSandbox(sandboxConfig([{ protocol: 'UDP', containerPort: 81, hostPort: port }]));
    pods.add(udp);
    await rt().stopPodSandbox(a);
    const again = await rt().runPodSandbox(sandboxConfig([{ protocol: 'TCP', containerPort: 81, hostPort: port }]));
    pods.add(again);
    for (const id of [a, udp, again]) await removePod(id);
  });

  test('an agent restart restores rules that went missing', async () => {
    const port = await freePort();
    const id = await webPod('restart', [{ protocol: 'TCP', containerPort: 8080, hostPort: port }]);
    await served('127.0.0.1', port, 'restart');
    // As after a firewall reload: the sandbox's rules are gone while the pod runs on.
    execFileSync('iptables', ['-w', '5', '-t', 'nat', '-F', sandboxChain(id)]);
    assert.match(await httpGet('127.0.0.1', port), /^error ECONNREFUSED/);
    await env.reopen();
    await rt().status();
    await served('127.0.0.1', port, 'restart');
    await removePod(id);
  });

  test('cleanupAll removes every hostPort chain and rule of the bridge', async () => {
    const port = await freePort();
    await webPod('cleanup', [{ protocol: 'TCP', containerPort: 8080, hostPort: port }]);
    await env.runtime.cleanupAll();
    pods.clear();
    const chains = hostportChains(env.opts.bridge!);
    const nat = natRules();
    for (const c of [chains.dispatch, chains.masq]) assert.ok(!nat.includes(c), `${c} is gone`);
    assert.ok(!execFileSync('iptables', ['-w', '5', '-S', 'INPUT'], { encoding: 'utf8' }).includes(env.opts.bridge!), 'the localnet guard is gone');
  });
});
