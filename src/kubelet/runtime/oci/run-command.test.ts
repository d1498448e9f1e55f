import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CommandResult, CommandError, mustRun, runCommand, spawnDetached } from './run-command.js';

const skip = process.platform !== 'linux' ? 'needs Linux' : undefined;

describe('runCommand', { skip }, () => {
  const cases: { name: string; cmd: string; args: string[]; opts?: Parameters<typeof runCommand>[2]; want: Partial<CommandResult> }[] = [
    { name: 'stdout and exit code 0', cmd: 'echo', args: ['hello', 'world'], want: { code: 0, stdout: 'hello world\n', stderr: '' } },
    { name: 'input on stdin, stderr and a non-zero exit', cmd: 'sh', args: ['-c', 'cat; echo oops >&2; exit 3'], opts: { input: 'line\n' }, want: { code: 3, stdout: 'line\n', stderr: 'oops\n' } },
    { name: 'no input: stdin is closed at once', cmd: 'cat', args: [], want: { code: 0, stdout: '' } },
    { name: 'a missing binary is 127 with the reason', cmd: 'k8ts-no-such-command', args: [], want: { code: 127, stdout: '', stderr: 'spawn k8ts-no-such-command ENOENT' } },
    { name: 'killed at its timeout', cmd: 'sleep', args: ['30'], opts: { timeoutMs: 100 }, want: { code: 128 } },
    { name: 'its own environment', cmd: 'sh', args: ['-c', 'echo "$K8TS_TEST_VALUE"'], opts: { env: { PATH: process.env.PATH, K8TS_TEST_VALUE: 'from-env' } }, want: { code: 0, stdout: 'from-env\n' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await runCommand(c.cmd, c.args, c.opts);
      for (const [k, v] of Object.entries(c.want)) assert.equal(r[k as keyof CommandResult], v, `${k}: ${JSON.stringify(r)}`);
    });
  }

  test('many at once each get their own result', async () => {
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => runCommand('sh', ['-c', `echo ${i}; exit ${i % 5}`])));
    rs.forEach((r, i) => assert.deepEqual(r, { code: i % 5, stdout: `${i}\n`, stderr: '' }));
  });

  test('mustRun returns stdout and throws the command and its message on failure', async () => {
    assert.equal(await mustRun('echo', ['ok']), 'ok\n');
    await assert.rejects(mustRun('sh', ['-c', 'echo bad thing >&2; exit 1']), (e: unknown) => e instanceof CommandError && e.message === 'sh -c echo bad thing >&2; exit 1: bad thing' && e.result.code === 1);
  });

  test('a detached child runs in its own session and outlives the call', async () => {
    const pid = await spawnDetached('sleep', ['30'], { cwd: '/' });
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: state, ppid, pgrp, session.
      const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      assert.equal(Number(session), pid);
      assert.equal(Number(pgrp), pid);
      assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0], 'sleep');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  test('an idle helper does not keep the process alive', { timeout: 30_000 }, async () => {
    const mod = fileURLToPath(new URL('./run-command.js', import.meta.url));
    const script = `const m = await import(${JSON.stringify(mod)}); const r = await m.runCommand('echo', ['done']); process.stdout.write(r.stdout);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.equal(out, 'done\n');
  });
});
