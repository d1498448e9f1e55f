import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceClient } from '../../client/rest/resource-client.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { type ClientEnv, eventually, startControllerEnv } from '../../testing/controller-env.js';
import type { Pod } from '../framework/pods.js';
import type { ControllerRevision } from '../history/revisions.js';
import { daemonSetControllerDescriptor } from './controller.js';
import { targetNodeName } from './eligibility.js';
import type { DaemonSet } from './types.js';

const NS = 'default';
const gvr = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  controllerrevisions: { group: 'apps', version: 'v1', resource: 'controllerrevisions' },
};

const rfc3339 = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

describe('DaemonSet controller against an API server', () => {
  let env: ClientEnv;
  let pods: ResourceClient<Pod>;
  let nodes: ResourceClient<KubeObject & { spec?: Record<string, unknown> }>;
  let daemonSets: ResourceClient<DaemonSet>;
  let revisions: ResourceClient<ControllerRevision>;
  const stopKubelet = new AbortController();
  let kubelet: Promise<void>;

  /** Plays scheduler and kubelet: binds pinned pods, makes them Ready, finishes deletions. */
  async function fakeNodeAgent(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for (const p of (await pods.list()).items) {
          const name = p.metadata.name!;
          if (p.metadata.deletionTimestamp) {
            await pods.delete(name, { gracePeriodSeconds: 0 }).catch(() => undefined);
            continue;
          }
          const node = targetNodeName(p);
          if (!p.spec?.nodeName && node) {
            await pods.createSubresource(name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } }).catch(() => undefined);
          } else if (p.spec?.nodeName && p.status?.phase !== 'Running') {
            await pods.patch(name, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339() }] } }, { subresource: 'status' }).catch(() => undefined);
          }
        }
      } catch {
        // The server is going away at the end of the run.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    env = await startControllerEnv({
      controllers: [daemonSetControllerDescriptor],
      identity: 'ds-test',
      prepare: async (rest) => {
        pods = new ResourceClient<Pod>(rest, gvr.pods, NS);
        nodes = new ResourceClient(rest, gvr.nodes);
        daemonSets = new ResourceClient<DaemonSet>(rest, gvr.daemonsets, NS);
        revisions = new ResourceClient<ControllerRevision>(rest, gvr.controllerrevisions, NS);
        for (const [i, taints] of [[], [], [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]].entries()) {
          await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}`, labels: { 'kubernetes.io/hostname': `n${i}`, disk: i === 0 ? 'ssd' : 'hdd' } }, spec: { taints } });
        }
      },
    });
    kubelet = fakeNodeAgent(stopKubelet.signal);
  });

  after(async () => {
    stopKubelet.abort();
    await kubelet;
    await env.stop();
  });

  const active = async (app: string) => (await pods.list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const byNode = (list: Pod[]) => list.map((p) => targetNodeName(p)).sort();

  test('one pod per eligible node, taints respected, rolling update with revisions', async () => {
    const ds = await daemonSets.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } } },
    });
    const two = await eventually('pods on n0 and n1', async () => {
      const list = await active('agent');
      return JSON.stringify(byNode(list)) === '["n0","n1"]' ? list : undefined;
    });
    const p = two[0]!;
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const tolerations = (p.spec as { tolerations?: { key?: string; effect?: string }[] }).tolerations ?? [];
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/unschedulable']) assert.ok(tolerations.some((t) => t.key === key), key);
    const revs1 = (await revisions.list()).items;
    assert.equal(revs1.length, 1);
    assert.equal(revs1[0]!.revision, 1);
    const hash1 = p.metadata.labels?.['controller-revision-hash'];
    assert.ok(hash1 && revs1[0]!.metadata.name === `agent-${hash1}`);

    await eventually('status: 2 desired, 2 ready', async () => {
      const s = (await daemonSets.get('agent')).status;
      return s?.desiredNumberScheduled === 2 && s.currentNumberScheduled === 2 && s.numberReady === 2 && s.numberAvailable === 2 && s.updatedNumberScheduled === 2 && s.numberMisscheduled === 0 ? true : undefined;
    });

    // The taint goes: the node gets its pod.
    await nodes.patch('n2', 'merge', { spec: { taints: null } });
    await eventually('a pod on n2', async () => (JSON.stringify(byNode(await active('agent'))) === '["n0","n1","n2"]' ? true : undefined));

    // A NoSchedule taint on a node does not evict the running pod.
    await nodes.patch('n1', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(byNode(await active('agent')), ['n0', 'n1', 'n2']);
    // NoExecute does.
    await nodes.patch('n1', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await eventually('n1 pod removed', async () => (JSON.stringify(byNode(await active('agent'))) === '["n0","n2"]' ? true : undefined));
    await nodes.patch('n1', 'merge', { spec: { taints: null } });
    await eventually('n1 pod back', async () => ((await active('agent')).length === 3 ? true : undefined));

    // A new template rolls out node by node.
    await daemonSets.patch('agent', 'merge', { spec: { template: { spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } });
    const updated = await eventually('all pods on agent:2', async () => {
      const list = await active('agent');
      const images = list.map((x) => (x.spec as { containers: { image: string }[] }).containers[0]!.image);
      return list.length === 3 && images.every((i) => i === 'agent:2') ? list : undefined;
    });
    const hash2 = updated[0]!.metadata.labels?.['controller-revision-hash'];
    assert.notEqual(hash2, hash1);
    const revs2 = (await revisions.list()).items.sort((a, b) => a.revision - b.revision);
    assert.deepEqual(revs2.map((r) => r.revision), [1, 2]);
    await eventually('status caught up', async () => {
      const cur = await daemonSets.get('agent');
      const s = cur.status;
      return s?.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === cur.metadata.generation ? true : undefined;
    });

    // A nodeSelector narrows the set: pods leave the nodes that no longer match.
    await daemonSets.patch('agent', 'merge', { spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } });
    await eventually('only n0', async () => (JSON.stringify(byNode(await active('agent'))) === '["n0"]' ? true : undefined));
    await eventually('status: 1 desired', async () => ((await daemonSets.get('agent')).status?.desiredNumberScheduled === 1 ? true : undefined));
  });

  test('an orphan ControllerRevision matching the selector is adopted into the history; one that does not match is left alone', async () => {
    const orphan = (name: string, app: string): ControllerRevision => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, labels: { app } }, data: { spec: { template: { $patch: 'replace' } } }, revision: 7 });
    await revisions.create(orphan('logger-orphan', 'logger'));
    await revisions.create(orphan('stray-orphan', 'stray'));
    const ds = await daemonSets.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'logger' },
      spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'l', image: 'logger:1' }] } } },
    });
    const adopted = await eventually('adoption', async () => {
      const r = await revisions.get('logger-orphan');
      return r.metadata.ownerReferences?.length ? r : undefined;
    });
    assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'logger', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    // Adopted as history, beside the revision of the current template.
    await eventually('current revision', async () => (await revisions.list()).items.find((r) => r.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid && r.metadata.name !== 'logger-orphan'));
    assert.equal((await revisions.get('stray-orphan')).metadata.ownerReferences, undefined);
  });
});
