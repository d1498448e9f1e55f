import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeT, PodT } from '../api/core/v1/types.js';
import { node, pod } from '../testing/builders.js';
import { PodChangeLog, SchedulerCache } from './cache.js';

const n = (name: string, images?: string[]) => {
  const b = node(name).capacity({ cpu: '4', memory: '8Gi', pods: '110' }).build() as NodeT;
  if (images) b.status = { ...b.status, images: [{ names: images, sizeBytes: 100 }] };
  return b;
};
const cpuOn = (c: SchedulerCache, name: string) => c.snapshot().get(name)?.requested.get('cpu') ?? 0;
const podsOn = (c: SchedulerCache, name: string) => c.snapshot().get(name)?.pods.map((p) => p.pod.metadata?.name) ?? [];

describe('SchedulerCache', () => {
  test('bound pods count on their node; pending and finished ones do not', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    c.addPod(pod('a').req({ cpu: '1' }).node('n1').build() as PodT);
    c.addPod(pod('pending').req({ cpu: '1' }).build() as PodT);
    const done = pod('done').req({ cpu: '1' }).node('n1').build() as PodT;
    done.status = { phase: 'Succeeded' };
    c.addPod(done);
    assert.deepEqual(podsOn(c, 'n1'), ['a']);
    assert.equal(cpuOn(c, 'n1'), 1000);
  });

  test('a pod that finishes gives its room back', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    const p = pod('a').req({ cpu: '1' }).node('n1').build() as PodT;
    c.addPod(p);
    c.updatePod({ ...p, status: { phase: 'Failed' } });
    assert.deepEqual(podsOn(c, 'n1'), []);
    assert.equal(cpuOn(c, 'n1'), 0);
  });

  test('an assumed pod counts until the informer shows it bound, then once', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    const p = pod('a').req({ cpu: '1' }).build() as PodT;
    c.assumePod(p, 'n1');
    assert.equal(c.isAssumed(p), true);
    // The informer still shows it unbound (e.g. a status update of the pending pod).
    c.updatePod(p);
    assert.deepEqual(podsOn(c, 'n1'), ['a']);
    c.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
    assert.equal(c.isAssumed(p), false);
    assert.deepEqual(podsOn(c, 'n1'), ['a']);
    assert.equal(cpuOn(c, 'n1'), 1000);
  });

  test('forgetting a failed binding frees the room; observed pods are not forgotten', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    const p = pod('a').req({ cpu: '1' }).build() as PodT;
    c.assumePod(p, 'n1');
    c.forgetPod(p);
    assert.equal(cpuOn(c, 'n1'), 0);
    const q = pod('b').node('n1').build() as PodT;
    c.addPod(q);
    c.forgetPod(q);
    assert.deepEqual(podsOn(c, 'n1'), ['b']);
  });

  test('pods seen before their node join it when it appears, and survive node updates and removal', () => {
    const c = new SchedulerCache();
    c.addPod(pod('early').req({ cpu: '2' }).node('n1').build() as PodT);
    assert.equal(c.snapshot().get('n1'), undefined);
    c.addNode(n('n1'));
    assert.deepEqual(podsOn(c, 'n1'), ['early']);
    const relabelled = n('n1');
    relabelled.metadata!.labels = { zone: 'a' };
    c.updateNode(relabelled);
    assert.equal(c.snapshot().get('n1')!.labels.zone, 'a');
    assert.equal(cpuOn(c, 'n1'), 2000);
    c.removeNode(relabelled);
    assert.equal(c.snapshot().numNodes(), 0);
    c.addNode(n('n1'));
    assert.deepEqual(podsOn(c, 'n1'), ['early']);
  });

  test('deleting a pod removes it wherever it is', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    const p = pod('a').node('n1').build() as PodT;
    c.addPod(p);
    c.removePod(p);
    assert.deepEqual(podsOn(c, 'n1'), []);
  });

  test('image spread counts the nodes holding an image', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1', ['nginx:1.27']));
    c.addNode(n('n2', ['nginx:1.27']));
    c.addNode(n('n3'));
    const s = c.snapshot();
    const states = [...s.get('n1')!.imageStates.values()];
    assert.equal(states.length, 1);
    assert.equal(states[0]!.numNodes, 2);
    c.removeNode(n('n2', ['nginx:1.27']));
    assert.equal([...c.snapshot().get('n1')!.imageStates.values()][0]!.numNodes, 1);
  });

  test('the affinity node lists follow the pods', () => {
    const c = new SchedulerCache();
    c.addNode(n('n1'));
    c.addNode(n('n2'));
    const anti = pod('anti').node('n2').build() as PodT;
    anti.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } };
    c.addPod(anti);
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity.map((ni) => ni.name), ['n2']);
    c.addPod(pod('plain').node('n1').build() as PodT);
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity.map((ni) => ni.name), ['n2']);
    // A replaced node object carries its pods, and the lists point at the new one.
    c.updateNode(n('n2'));
    assert.equal(c.snapshot().havePodsWithRequiredAntiAffinity[0], c.snapshot().get('n2'));
    c.removePod(anti);
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity.map((ni) => ni.name), []);
    const assumed = c.assumePod({ ...anti, spec: { ...anti.spec!, nodeName: undefined } }, 'n1');
    assert.deepEqual(c.snapshot().havePodsWithAffinity.map((ni) => ni.name), ['n1']);
    c.forgetPod(assumed);
    assert.deepEqual(c.snapshot().havePodsWithAffinity.map((ni) => ni.name), []);
  });

  test('the pod change log hands out what came after a position, until it no longer keeps it', () => {
    const log = new PodChangeLog(4);
    const info = (name: string) => ({ info: { pod: pod(name).build() } as never, nodeName: 'n1', delta: 1 as const });
    const p0 = log.position;
    log.push(info('a'));
    log.push(info('b'));
    assert.deepEqual(log.since(p0)!.map((c) => (c.info as { pod: PodT }).pod.metadata?.name), ['a', 'b']);
    log.push(info('c'));
    const p3 = log.position;
    for (const n of ['d', 'e']) log.push(info(n));
    // Over the limit of 4 only the newest half stays: positions before 'd' are no longer kept.
    assert.equal(log.since(p0), undefined);
    assert.equal(log.since(p3 - 1), undefined);
    assert.deepEqual(log.since(p3)!.map((c) => (c.info as { pod: PodT }).pod.metadata?.name), ['d', 'e']);
    assert.deepEqual(log.since(log.position), []);
    assert.equal(log.since(log.position + 1), undefined);
  });
});
