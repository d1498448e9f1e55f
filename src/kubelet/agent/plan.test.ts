import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerT } from '../../api/core/v1/types.js';
import { computePodActions, type ContainerRecord, type PlanInput, type RestartPolicy } from './plan.js';

const run = (name: string, attempt = 0, id = `${name}-${attempt}`): ContainerRecord => ({ id, name, attempt, state: 'CONTAINER_RUNNING', createdAt: 0, startedAt: 0 });
const exit = (name: string, code: number, attempt = 0): ContainerRecord => ({ id: `${name}-${attempt}`, name, attempt, state: 'CONTAINER_EXITED', exitCode: code, createdAt: 0, startedAt: 0, finishedAt: 1 });

interface Case {
  name: string;
  init?: ContainerT[];
  app?: string[];
  ephemeral?: string[];
  policy?: RestartPolicy;
  sandbox?: boolean;
  records?: ContainerRecord[];
  notStarted?: string[];
  unhealthy?: string[];
  want: { createSandbox?: boolean; killAll?: boolean; start?: string[]; kill?: string[]; initFailed?: boolean; podDone?: boolean };
}

const regular = (name: string): ContainerT => ({ name, image: 'x' });
const sidecar = (name: string): ContainerT => ({ name, image: 'x', restartPolicy: 'Always' });

const cases: Case[] = [
  { name: 'no sandbox: create it and start the app containers', sandbox: false, app: ['a', 'b'], want: { createSandbox: true, start: ['a#0', 'b#0'] } },
  { name: 'no sandbox with init containers: only the first init container', sandbox: false, init: [regular('i1'), regular('i2')], want: { createSandbox: true, start: ['i1#0'] } },
  { name: 'dead sandbox, Never, containers ran: no new sandbox, pod done', sandbox: false, policy: 'Never', records: [exit('a', 0)], want: { killAll: true, podDone: true } },
  { name: 'dead sandbox, OnFailure: succeeded containers are not started again', sandbox: false, policy: 'OnFailure', app: ['a', 'b'], records: [exit('a', 0), exit('b', 1)], want: { createSandbox: true, killAll: true, start: ['b#1'] } },
  { name: 'running app container: nothing to do', records: [run('a')], want: {} },
  { name: 'Always restarts an exited container', records: [exit('a', 0)], want: { start: ['a#1'] } },
  { name: 'OnFailure restarts a failed container', policy: 'OnFailure', records: [exit('a', 2)], want: { start: ['a#1'] } },
  { name: 'OnFailure leaves a succeeded container: pod done', policy: 'OnFailure', records: [exit('a', 0)], want: { podDone: true } },
  { name: 'Never leaves a failed container: pod done', policy: 'Never', records: [exit('a', 1)], want: { podDone: true } },
  { name: 'first init container runs: wait', init: [regular('i1'), regular('i2')], records: [run('i1')], want: {} },
  { name: 'init succeeded: the next one starts', init: [regular('i1'), regular('i2')], records: [exit('i1', 0)], want: { start: ['i2#0'] } },
  { name: 'all init succeeded: app containers start', init: [regular('i1')], records: [exit('i1', 0)], want: { start: ['a#0'] } },
  { name: 'failed init with OnFailure restarts it', init: [regular('i1')], policy: 'OnFailure', records: [exit('i1', 1)], want: { start: ['i1#1'] } },
  { name: 'failed init with Never fails the pod', init: [regular('i1')], policy: 'Never', records: [exit('i1', 1)], want: { initFailed: true, podDone: true } },
  { name: 'sidecar not started yet blocks the next init container', init: [sidecar('s'), regular('i1')], records: [run('s')], notStarted: ['s'], want: {} },
  { name: 'started sidecar lets the next init container start', init: [sidecar('s'), regular('i1')], records: [run('s')], want: { start: ['i1#0'] } },
  { name: 'exited sidecar after initialization is restarted beside the app', init: [sidecar('s')], records: [exit('s', 1), run('a')], want: { start: ['s#1'] } },
  { name: 'app done with OnFailure: running sidecar is stopped', init: [sidecar('s')], policy: 'OnFailure', records: [run('s'), exit('a', 0)], want: { kill: ['s-0'], podDone: true } },
  { name: 'liveness failure kills and restarts', records: [run('a')], unhealthy: ['a-0'], want: { kill: ['a-0'], start: ['a#1'] } },
  { name: 'liveness failure with Never kills without restart', policy: 'Never', records: [run('a')], unhealthy: ['a-0'], want: { kill: ['a-0'], podDone: true } },
  { name: 'the newest run decides: an old failure is history', records: [run('a', 1), exit('a', 1, 0)], want: {} },
  { name: 'an ephemeral container starts once in a running sandbox', ephemeral: ['dbg'], records: [run('a')], want: { start: ['dbg#0'] } },
  { name: 'an ephemeral container starts before a blocked init container', ephemeral: ['dbg'], init: [regular('i1')], records: [run('i1')], want: { start: ['dbg#0'] } },
  { name: 'an exited ephemeral container is not restarted', ephemeral: ['dbg'], records: [run('a'), exit('dbg', 1)], want: {} },
  { name: 'no sandbox: ephemeral containers wait for it', sandbox: false, ephemeral: ['dbg'], want: { createSandbox: true, start: ['a#0'] } },
  { name: 'pod done: an ephemeral container is stopped, a new one not started', ephemeral: ['dbg', 'dbg2'], policy: 'Never', records: [exit('a', 0), run('dbg')], want: { kill: ['dbg-0'], podDone: true } },
];

describe('computePodActions', () => {
  for (const c of cases) {
    test(c.name, () => {
      const records = new Map<string, ContainerRecord[]>();
      for (const r of c.records ?? []) records.set(r.name, [...(records.get(r.name) ?? []), r].sort((x, y) => y.attempt - x.attempt));
      const input: PlanInput = {
        initContainers: c.init ?? [],
        containers: (c.app ?? ['a']).map(regular),
        ephemeralContainers: (c.ephemeral ?? []).map(regular),
        restartPolicy: c.policy ?? 'Always',
        sandboxReady: c.sandbox ?? true,
        records,
        started: (r) => r.state === 'CONTAINER_RUNNING' && !(c.notStarted ?? []).includes(r.name),
        unhealthy: (r) => ((c.unhealthy ?? []).includes(r.id) ? 'unhealthy' : undefined),
        hashOf: () => '',
      };
      const got = computePodActions(input);
      assert.deepEqual(
        {
          createSandbox: got.createSandbox, killAll: got.killAll, start: got.start.map((s) => `${s.name}#${s.attempt}`), kill: got.kill.map((k) => k.id), initFailed: got.initFailed, podDone: got.podDone,
        },
        { createSandbox: false, killAll: false, start: [], kill: [], initFailed: false, podDone: false, ...c.want },
      );
    });
  }
});
