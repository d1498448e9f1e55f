/** A single-member etcd on loopback ports with its own data dir, for benchmarks. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../testing/server-harness.js';

export function etcdInstalled(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

export class EtcdProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(timeoutMs = 20_000): Promise<EtcdProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-etcd-'));
    const [client, peer] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const child = spawn(
      'etcd',
      [
        '--name', 'k8ts-bench',
        '--data-dir', path.join(dir, 'data'),
        '--listen-client-urls', url,
        '--advertise-client-urls', url,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `k8ts-bench=${peerUrl}`,
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const e = new EtcdProcess(url, child, dir);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        await e.stop();
        throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
      }
      try {
        const res = await fetch(`${url}/health`);
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return e;
      } catch {}
      if (Date.now() > deadline) {
        await e.stop();
        throw new Error(`etcd did not become healthy: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
