import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../machinery/clock.js';
import { pod } from '../../testing/builders.js';
import { ActionType, Events } from '../framework/events.js';
import { frameworkWith } from '../plugins/plugin-test-kit.js';
import { SchedulingQueue } from './scheduling-queue.js';

function newQueue(clock = new FakeClock()) {
  const fw = frameworkWith(['SchedulingGates', 'NodeResourcesFit', 'NodeAffinity', 'TaintToleration']);
  const q = new SchedulingQueue({ clock, less: (a, b) => fw.queueSortLess(a, b), preEnqueue: (p) => fw.runPreEnqueue(p), eventsToRegister: fw.eventsToRegister() });
  return { q, clock };
}

const names = (xs: { metadata?: { name?: string } }[]) => xs.map((p) => p.metadata!.name);

describe('SchedulingQueue', () => {
  test('activeQ pops by priority, then by queue time', () => {
    const { q, clock } = newQueue();
    q.add(pod('low').priority(1).build());
    clock.step(10);
    q.add(pod('high').priority(100).build());
    clock.step(10);
    q.add(pod('low-later').priority(1).build());
    q.add(pod('mid').priority(50).build());
    assert.deepEqual([q.pop(), q.pop(), q.pop(), q.pop(), q.pop()].map((x) => x?.pod.metadata?.name), ['high', 'mid', 'low', 'low-later', undefined]);
  });

  test('scheduling gates hold a pod back until they are removed', () => {
    const { q } = newQueue();
    const gated = pod('g').schedulingGates('wait').build();
    assert.equal(q.add(gated), 'unschedulablePods');
    assert.equal(q.pop(), undefined);
    // Cluster events never release a gated pod.
    q.moveAllToActiveOrBackoffQueue(Events.nodeAdd);
    assert.equal(q.pop(), undefined);
    const ungated = pod('g').build();
    assert.equal(q.update(gated, ungated), 'activeQ');
    assert.equal(q.pop()?.pod.metadata?.name, 'g');
  });

  test('back-off doubles per attempt from 1 s and caps at 10 s', () => {
    const { q } = newQueue();
    const info = { pod: pod('p').build(), timestamp: 0, initialAttemptTimestamp: 0, attempts: 0, unschedulablePlugins: new Set<string>() };
    const got = [1, 2, 3, 4, 5, 6].map((attempts) => q.backoffDuration({ ...info, attempts }));
    assert.deepEqual(got, [1000, 2000, 4000, 8000, 10000, 10000]);
  });

  test('an errored pod backs off and returns after its back-off', () => {
    const { q, clock } = newQueue();
    q.add(pod('p').build());
    const info = q.pop()!;
    assert.equal(q.addUnschedulableIfNotPresent(info, q.schedulingCycle()), 'backoffQ');
    clock.step(999);
    assert.equal(q.flushBackoffQCompleted(), 0);
    clock.step(1);
    assert.equal(q.flushBackoffQCompleted(), 1);
    assert.equal(q.pop()?.attempts, 2);
  });

  test('unschedulable pods move only on events their rejecting plugins registered', () => {
    const { q, clock } = newQueue();
    q.add(pod('p').build());
    const info = q.pop()!;
    info.unschedulablePlugins.add('NodeResourcesFit');
    assert.equal(q.addUnschedulableIfNotPresent(info, q.schedulingCycle()), 'unschedulablePods');
    assert.equal(q.moveAllToActiveOrBackoffQueue({ resource: 'Pod', actionType: ActionType.UpdatePodLabel }), 0);
    assert.equal(q.where('default/p'), 'unschedulablePods');
    // Still backing off: the event sends it to backoffQ, then the flush to activeQ.
    assert.equal(q.moveAllToActiveOrBackoffQueue(Events.assignedPodDelete), 1);
    assert.equal(q.where('default/p'), 'backoffQ');
    clock.step(1000);
    q.flushBackoffQCompleted();
    assert.equal(q.where('default/p'), 'activeQ');
  });

  test('after back-off expires an event moves the pod straight to activeQ', () => {
    const { q, clock } = newQueue();
    q.add(pod('p').build());
    const info = q.pop()!;
    info.unschedulablePlugins.add('TaintToleration');
    q.addUnschedulableIfNotPresent(info, q.schedulingCycle());
    clock.step(5000);
    q.moveAllToActiveOrBackoffQueue(Events.nodeUpdate(ActionType.UpdateNodeTaint));
    assert.equal(q.where('default/p'), 'activeQ');
  });

  test('a move request during the pod\'s cycle sends it to backoffQ instead of unschedulablePods', () => {
    const { q } = newQueue();
    q.add(pod('p').build());
    const info = q.pop()!;
    const cycle = q.schedulingCycle();
    q.moveAllToActiveOrBackoffQueue(Events.nodeAdd);
    info.unschedulablePlugins.add('NodeAffinity');
    assert.equal(q.addUnschedulableIfNotPresent(info, cycle), 'backoffQ');
  });

  test('queueing hints can skip an event', () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({
      clock,
      less: () => true,
      eventsToRegister: new Map([['Custom', [{ event: { resource: 'Node', actionType: ActionType.Add }, hint: (_p, _o, n) => ((n as { ok?: boolean }).ok ? 'Queue' : 'QueueSkip') }]]]),
    });
    q.add(pod('p').build());
    const info = q.pop()!;
    info.unschedulablePlugins.add('Custom');
    q.addUnschedulableIfNotPresent(info, q.schedulingCycle());
    clock.step(20_000);
    assert.equal(q.moveAllToActiveOrBackoffQueue(Events.nodeAdd, undefined, { ok: false }), 0);
    assert.equal(q.moveAllToActiveOrBackoffQueue(Events.nodeAdd, undefined, { ok: true }), 1);
  });

  test('pods left unschedulable for 5 minutes are flushed by the periodic run', () => {
    const { q, clock } = newQueue();
    const ac = new AbortController();
    q.run(ac.signal);
    q.add(pod('p').build());
    const info = q.pop()!;
    info.unschedulablePlugins.add('NodeAffinity');
    q.addUnschedulableIfNotPresent(info, q.schedulingCycle());
    clock.step(4 * 60_000);
    assert.equal(q.where('default/p'), 'unschedulablePods');
    clock.step(90_000);
    assert.equal(q.where('default/p'), 'activeQ');
    ac.abort();
    assert.equal(clock.hasWaiters(), false);
  });

  test('popWait resolves when a pod arrives and ends on abort', async () => {
    const { q } = newQueue();
    const waiting = q.popWait();
    q.add(pod('p').build());
    assert.equal((await waiting)?.pod.metadata?.name, 'p');
    const ac = new AbortController();
    const w2 = q.popWait(ac.signal);
    ac.abort();
    assert.equal(await w2, undefined);
  });

  test('nominated pods are listed per node and dropped on delete', () => {
    const { q } = newQueue();
    const p = pod('p').build();
    q.addNominatedPod(p, 'n1');
    assert.deepEqual(names(q.nominatedPodsForNode('n1')), ['p']);
    q.delete(p);
    assert.deepEqual(q.nominatedPodsForNode('n1'), []);
  });

  test('pendingPods shows each sub-queue', () => {
    const { q } = newQueue();
    q.add(pod('a').build());
    q.add(pod('g').schedulingGates('x').build());
    const pending = q.pendingPods();
    assert.deepEqual(names(pending.activeQ), ['a']);
    assert.deepEqual(names(pending.unschedulablePods), ['g']);
  });
});
