import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryScopeHook, oomKillCount, parseOomKill } from './cgroups.js';

describe('parseOomKill', () => {
  const cases = [
    { name: 'v1 memory.oom_control', text: 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', want: 3 },
    { name: 'v2 memory.events', text: 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n', want: 1 },
    { name: 'an old kernel without the counter', text: 'oom_kill_disable 0\nunder_oom 0\n', want: 0 },
    { name: 'oom_group_kill alone is not oom_kill', text: 'oom_group_kill 4\n', want: 0 },
    { name: 'empty', text: '', want: 0 },
  ];
  for (const c of cases) test(c.name, () => assert.equal(parseOomKill(c.text), c.want));
});

/** A fake cgroup mount: v1 when `memory/` exists, v2 otherwise. */
function fakeMount(kind: 'v1' | 'v2'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-cgroups-'));
  if (kind === 'v1') {
    mkdirSync(path.join(dir, 'memory', 'pod', 'c1', 'ctr'), { recursive: true });
    writeFileSync(path.join(dir, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
  } else {
    mkdirSync(path.join(dir, 'pod', 'c1'), { recursive: true });
  }
  return dir;
}

describe('oomKillCount', () => {
  test('v1: the container cgroup and the runtime cgroup below it are summed', () => {
    const mount = fakeMount('v1');
    try {
      assert.equal(oomKillCount('pod/c1', mount), 0, 'no counter files yet');
      writeFileSync(path.join(mount, 'memory', 'pod', 'c1', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
      writeFileSync(path.join(mount, 'memory', 'pod', 'c1', 'ctr', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
      assert.equal(oomKillCount('pod/c1', mount), 3);
      assert.equal(oomKillCount('pod/gone', mount), 0);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  test('v2: memory.events of the container cgroup', () => {
    const mount = fakeMount('v2');
    try {
      writeFileSync(path.join(mount, 'pod', 'c1', 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
      assert.equal(oomKillCount('pod/c1', mount), 1);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe('memoryScopeHook', () => {
  test('is absent on cgroup v2', () => {
    const mount = fakeMount('v2');
    try {
      assert.equal(memoryScopeHook('pod/c1', mount), undefined);
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });

  test('writes the pid from the OCI state on stdin into the container memory cgroup', () => {
    const mount = fakeMount('v1');
    try {
      const hook = memoryScopeHook('pod/c1', mount)!;
      assert.equal(hook.path, '/bin/sh');
      const state = JSON.stringify({ ociVersion: '1.0.2', id: 'x', status: 'creating', pid: 4242, bundle: '/b' });
      // runc writes the state without a trailing newline.
      execFileSync(hook.path, hook.args.slice(1), { input: state, env: {} });
      assert.equal(readFileSync(path.join(mount, 'memory', 'pod', 'c1', 'cgroup.procs'), 'utf8'), '4242\n');
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});
