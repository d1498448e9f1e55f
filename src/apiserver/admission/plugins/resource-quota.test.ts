import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../machinery/errors/status-error.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { type RequestContext, systemContext } from '../../context.js';
import { realClock } from '../../../machinery/clock.js';
import type { AdmissionAttributes } from '../types.js';
import type { ResourceQuota } from '../../../api/quota/evaluator.js';
import { type QuotaAccess, ResourceQuotaAdmission } from './resource-quota.js';

/** Quotas in memory; updates serialize like compare-and-swap writes do. */
class FakeQuotas implements QuotaAccess {
  writes = 0;
  private chain: Promise<unknown> = Promise.resolve();
  constructor(readonly items: ResourceQuota[]) {}
  async list(namespace: string): Promise<ResourceQuota[]> {
    return structuredClone(this.items.filter((q) => q.metadata.namespace === namespace));
  }
  updateStatus(_ctx: RequestContext, namespace: string, name: string, update: (q: ResourceQuota) => ResourceQuota): Promise<void> {
    const run = this.chain.then(() => {
      const i = this.items.findIndex((q) => q.metadata.namespace === namespace && q.metadata.name === name);
      this.items[i] = update(structuredClone(this.items[i]!));
      this.writes++;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function quota(name: string, hard: Record<string, string>, used: Record<string, string> | undefined, spec: Partial<NonNullable<ResourceQuota['spec']>> = {}): ResourceQuota {
  return { metadata: { name, namespace: 'ns' }, spec: { hard, ...spec }, status: used ? { hard, used } : {} };
}

function podCreate(name: string, containers: object[] = [{ name: 'app' }], ns = 'ns'): AdmissionAttributes {
  const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers } } as KubeObject;
  return { operation: 'CREATE', group: '', version: 'v1', resource: 'pods', subresource: '', kind: 'Pod', namespace: ns, name, object, dryRun: false };
}

const ctx = () => systemContext(realClock);
const plugin = (q: FakeQuotas) => new ResourceQuotaAdmission(q, () => Date.now());

async function refusal(p: Promise<void>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail('admitted');
}

describe('ResourceQuota admission', () => {
  test('charges an admitted pod to status.used', async () => {
    const q = new FakeQuotas([quota('q', { pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '100m' })]);
    await plugin(q).validate(podCreate('p', [{ name: 'app', resources: { requests: { cpu: '250m' } } }]), ctx());
    assert.deepEqual(q.items[0]!.status?.used, { pods: '2', 'requests.cpu': '350m' });
  });

  test('refuses past the limit with the upstream message', async () => {
    const q = new FakeQuotas([quota('q', { pods: '2' }, { pods: '2' })]);
    const err = await refusal(plugin(q).validate(podCreate('p'), ctx()));
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.equal(err.message, 'pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    assert.equal(q.writes, 0);
  });

  test('two concurrent creates cannot both take the last unit', async () => {
    const q = new FakeQuotas([quota('q', { pods: '2' }, { pods: '1' })]);
    const p = plugin(q);
    const results = await Promise.allSettled([p.validate(podCreate('a'), ctx()), p.validate(podCreate('b'), ctx())]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(q.items[0]!.status?.used?.pods, '2');
  });

  test('a quota tracking limits refuses a pod without them', async () => {
    const q = new FakeQuotas([quota('compute', { 'limits.cpu': '2', 'limits.memory': '1Gi' }, { 'limits.cpu': '0', 'limits.memory': '0' })]);
    const err = await refusal(plugin(q).validate(podCreate('p'), ctx()));
    assert.equal(err.message, 'pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: app; must specify limits.memory for: app');
  });

  const ignored: { name: string; quotas: ResourceQuota[]; attrs: AdmissionAttributes }[] = [
    { name: 'a quota not yet synced', quotas: [quota('q', { pods: '0' }, undefined)], attrs: podCreate('p') },
    { name: 'a scoped quota the pod is outside of', quotas: [quota('q', { pods: '0' }, { pods: '0' }, { scopes: ['Terminating'] })], attrs: podCreate('p') },
    { name: 'a quota in another namespace', quotas: [quota('q', { pods: '0' }, { pods: '0' })], attrs: podCreate('p', [{ name: 'a' }], 'other') },
    { name: 'a quota on other resources', quotas: [quota('q', { services: '0' }, { services: '0' })], attrs: podCreate('p') },
  ];
  for (const c of ignored) {
    test(`admits under ${c.name}`, async () => {
      const q = new FakeQuotas(c.quotas);
      await plugin(q).validate(c.attrs, ctx());
      assert.equal(q.writes, 0);
    });
  }

  test('a dry run is checked but not charged', async () => {
    const q = new FakeQuotas([quota('q', { pods: '2' }, { pods: '0' })]);
    await plugin(q).validate(podCreate('p'), { ...ctx(), dryRun: true });
    assert.equal(q.items[0]!.status?.used?.pods, '0');
  });

  test('status unknown for a tracked resource refuses', async () => {
    const q = new FakeQuotas([{ metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { pods: '2' } }, status: { hard: { pods: '2' }, used: {} } }]);
    const err = await refusal(plugin(q).validate(podCreate('p'), ctx()));
    assert.equal(err.message, 'pods "p" is forbidden: status unknown for quota: q, resources: pods');
  });

  test('counts other kinds by name, with generateName in the refusal', async () => {
    const q = new FakeQuotas([quota('q', { 'count/deployments.apps': '1' }, { 'count/deployments.apps': '1' })]);
    const attrs: AdmissionAttributes = {
      operation: 'CREATE', group: 'apps', version: 'v1', resource: 'deployments', subresource: '', kind: 'Deployment', namespace: 'ns', name: '',
      object: { metadata: { generateName: 'web-' } } as KubeObject, dryRun: false,
    };
    const err = await refusal(plugin(q).validate(attrs, ctx()));
    assert.equal(err.message, 'deployments.apps "web-" is forbidden: exceeded quota: q, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');
  });
});
