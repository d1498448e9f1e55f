import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { CustomResourceDefinitionT } from '../../api/apiextensions/v1/types.js';
import { builtinScheme } from '../../api/index.js';
import type { Scheme } from '../../api/scheme.js';
import { realClock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import { silentLogger } from '../../machinery/log.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { MemoryBackend } from '../../storage/memory/memory-backend.js';
import { AdmissionChain } from '../admission/types.js';
import { WatchCache } from '../cacher/watch-cache.js';
import { systemContext } from '../context.js';
import { ResourceHandlers } from '../endpoints/resource-handler.js';
import { defaultPrinter } from '../printers/default-printer.js';
import type { Printer } from '../printers/types.js';
import { type Registry, buildRegistry } from '../registry/build.js';
import { type Endpoint, toServed } from '../registry/endpoint.js';
import { CRDController } from './controller.js';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER } from './crd-strategy.js';
import { widgetCRD } from './testing-fixtures.js';

const CRD_GVR = ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions'] as const;

/** An API server's registry and CRD controller on a memory backend, without HTTP. */
class Env {
  readonly abort = new AbortController();
  readonly printers = new Map<string, Printer>();
  readonly ctx = systemContext(realClock, { fieldManager: 'test' });
  controller!: CRDController;
  registry!: Registry;
  handlers!: ResourceHandlers;
  scheme!: Scheme;
  private cache!: WatchCache;

  constructor(readonly backend: MemoryBackend) {}

  static async start(backend = new MemoryBackend()): Promise<Env> {
    const env = new Env(backend);
    env.scheme = builtinScheme();
    env.cache = new WatchCache({ backend, logger: silentLogger, clock: realClock, freeze: true });
    await env.cache.start();
    env.registry = buildRegistry({ scheme: env.scheme, backend, cache: env.cache, clock: realClock, serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', freeze: true });
    env.handlers = new ResourceHandlers({ scheme: env.scheme, endpoints: env.registry.endpoints, admission: new AdmissionChain(), clock: realClock, logger: silentLogger, printerFor: () => defaultPrinter });
    env.controller = new CRDController({ scheme: env.scheme, registry: env.registry, backend, cache: env.cache, freeze: true, printers: env.printers, clock: realClock, logger: silentLogger });
    await env.controller.start(env.abort.signal);
    return env;
  }

  stop(): void {
    this.abort.abort();
    this.cache.dispose();
  }

  ep(group: string, version: string, resource: string): Endpoint {
    const ep = this.registry.endpoints.get(group, version, resource);
    assert.ok(ep, `${group}/${version}/${resource} is not served`);
    return ep;
  }

  create(gvr: readonly [string, string, string], ns: string, obj: unknown): Promise<KubeObject> {
    const ep = this.ep(...gvr);
    return this.handlers.createFromValue({ ...this.ctx, namespace: ns, warnings: [] }, ep, ns, obj);
  }

  async crd(name: string): Promise<CustomResourceDefinitionT | undefined> {
    try {
      return (await this.ep(...CRD_GVR).store.get('', name)).clone() as unknown as CustomResourceDefinitionT;
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  }

  delete(gvr: readonly [string, string, string], ns: string, name: string) {
    return this.ep(...gvr).store.delete(this.ctx, ns, name, {});
  }

  /** Polls until `check` returns a value (or true), failing after `timeoutMs`. */
  async eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  established(name: string): Promise<CustomResourceDefinitionT> {
    return this.eventually(`${name} established`, async () => {
      const crd = await this.crd(name);
      return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? crd : undefined;
    });
  }
}

const WIDGETS_V1 = ['example.com', 'v1', 'widgets'] as const;
const WIDGETS_BETA = ['example.com', 'v1beta1', 'widgets'] as const;

function widget(name: string, spec: Record<string, unknown>, ns = 'default'): Record<string, unknown> {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: ns }, spec };
}

function conditionsOf(crd: CustomResourceDefinitionT): string[] {
  return (crd.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
}

describe('CRD controller', () => {
  const envs: Env[] = [];
  const start = async (backend?: MemoryBackend) => {
    const e = await Env.start(backend);
    envs.push(e);
    return e;
  };
  after(() => {
    for (const e of envs) e.stop();
  });

  test('a new CRD is served: endpoints, printers, OpenAPI definition, status', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    const crd = await env.established('widgets.example.com');
    assert.deepEqual(conditionsOf(crd), ['NamesAccepted=True/NoConflicts: no conflicts found', 'Established=True/InitialNamesAccepted: the initial names have been accepted']);
    assert.deepEqual(crd.status?.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all-widgets'] });
    assert.deepEqual(crd.status?.storedVersions, ['v1']);
    assert.equal(env.ep(...WIDGETS_V1).custom, true);
    assert.equal(env.ep(...WIDGETS_BETA).storageType.version, 'v1');
    assert.deepEqual([...env.printers.keys()].sort(), ['example.com/widgets/v1', 'example.com/widgets/v1beta1']);
    assert.deepEqual(
      env.printers.get('example.com/widgets/v1')!.columns.map((c) => c.name),
      ['Name', 'Color', 'Replicas'],
    );
    assert.equal(env.scheme.definitionForKind('example.com', 'v1', 'Widget'), 'com.example.v1.Widget');
    assert.equal(crd.metadata?.finalizers, undefined, 'the cleanup finalizer is added on delete, as upstream');
  });

  test('custom resources: defaults, schema validation, every served version', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    const w = await env.create(WIDGETS_V1, 'default', widget('w1', { color: 'red', extra: { free: [1, { x: 2 }] } }));
    assert.deepEqual(w.spec, { color: 'red', extra: { free: [1, { x: 2 }] }, replicas: 1, size: 'medium' });
    assert.equal(w.metadata.generation, 1);

    const bad = await env.create(WIDGETS_V1, 'default', widget('bad', { color: 'pink', replicas: 0 })).then(
      () => assert.fail('invalid widget accepted'),
      (err: StatusError) => err,
    );
    assert.equal(bad.code, 422);
    assert.equal(
      bad.message,
      'Widget.example.com "bad" is invalid: [spec.color: Unsupported value: "pink": supported values: "red", "green", "blue", spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1]',
    );

    const beta = env.ep(...WIDGETS_BETA);
    const stored = await beta.store.get('default', 'w1');
    assert.equal(stored.object.apiVersion, 'example.com/v1', 'stored in the storage version');
    const served = toServed(beta, stored.clone());
    assert.equal(served.apiVersion, 'example.com/v1beta1');
    assert.deepEqual(served.spec, w.spec);

    const viaBeta = await env.create(WIDGETS_BETA, 'default', { apiVersion: 'example.com/v1beta1', kind: 'Widget', metadata: { name: 'b1' }, spec: { anything: true } });
    assert.equal(viaBeta.apiVersion, 'example.com/v1', 'written in the storage version');
  });

  test('generation follows non-status changes; /status changes only status', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    const ep = env.ep(...WIDGETS_V1);
    await env.create(WIDGETS_V1, 'default', widget('g', { color: 'red' }));
    const update = (mutate: (o: KubeObject) => void, strategy = ep.store.strategy) =>
      ep.store.guaranteedUpdate(env.ctx, 'default', 'g', (cur) => {
        mutate(cur!);
        return cur!;
      }, { strategy });

    const cases: { name: string; mutate: (o: KubeObject) => void; status?: boolean; want: { generation: number; color: string; label?: string; phase?: string } }[] = [
      { name: 'spec change bumps', mutate: (o) => ((o.spec as Record<string, unknown>).color = 'blue'), want: { generation: 2, color: 'blue' } },
      { name: 'label change does not', mutate: (o) => (o.metadata.labels = { a: 'b' }), want: { generation: 2, color: 'blue', label: 'b' } },
      { name: 'status via main endpoint ignored', mutate: (o) => (o.status = { phase: 'Up' }), want: { generation: 2, color: 'blue', label: 'b' } },
      {
        name: '/status keeps spec and metadata',
        status: true,
        mutate: (o) => {
          o.status = { phase: 'Up' };
          (o.spec as Record<string, unknown>).color = 'green';
          o.metadata.labels = { a: 'c' };
        },
        want: { generation: 2, color: 'blue', label: 'b', phase: 'Up' },
      },
    ];
    for (const c of cases) {
      const { object } = await update(c.mutate, c.status ? ep.statusStrategy : undefined);
      const got = { generation: object.metadata.generation, color: (object.spec as { color: string }).color, label: object.metadata.labels?.a, phase: (object.status as { phase?: string } | undefined)?.phase };
      assert.deepEqual(got, { label: undefined, phase: undefined, ...c.want }, c.name);
    }
  });

  test('without a status subresource every non-metadata change bumps generation', async () => {
    const env = await start();
    const crd = widgetCRD({ plural: 'plainwidgets', kind: 'PlainWidget', shortNames: [] });
    delete crd.spec.versions[0]!.subresources;
    await env.create(CRD_GVR, '', crd);
    await env.established('plainwidgets.example.com');
    const ep = env.ep('example.com', 'v1', 'plainwidgets');
    await env.create(['example.com', 'v1', 'plainwidgets'], 'default', { ...widget('p', { color: 'red' }), kind: 'PlainWidget', status: { phase: 'New' } });
    const { object } = await ep.store.guaranteedUpdate(env.ctx, 'default', 'p', (cur) => ({ ...cur!, status: { phase: 'Old' } }));
    assert.deepEqual([object.metadata.generation, (object.status as { phase: string }).phase], [2, 'Old']);
  });

  test('an updated CRD is served as updated: versions dropped, names changed', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    await env.ep(...CRD_GVR).store.guaranteedUpdate(env.ctx, '', 'widgets.example.com', (cur) => {
      const crd = cur as unknown as CustomResourceDefinitionT;
      crd.spec.versions[1]!.served = false;
      crd.spec.names.shortNames = ['wdg'];
      return cur!;
    });
    await env.eventually('v1beta1 no longer served', () => env.registry.endpoints.get(...WIDGETS_BETA) === undefined);
    await env.eventually('new short name served', () => env.ep(...WIDGETS_V1).rt.shortNames?.[0] === 'wdg');
    assert.deepEqual([...env.printers.keys()], ['example.com/widgets/v1']);
    assert.equal(env.scheme.byResource(...WIDGETS_BETA), undefined);
    const crd = await env.eventually('accepted names updated', async () => {
      const c = await env.crd('widgets.example.com');
      return c?.status?.acceptedNames?.shortNames?.[0] === 'wdg' ? c : undefined;
    });
    assert.equal(crd.metadata?.generation, 2);
  });

  test('conflicting names are refused until the holder goes', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    await env.create(CRD_GVR, '', widgetCRD({ plural: 'gadgets', kind: 'Gadget', shortNames: ['wd'], scope: 'Cluster' }));
    const refused = await env.eventually('gadgets names decided', async () => {
      const c = await env.crd('gadgets.example.com');
      return c?.status?.conditions?.length ? c : undefined;
    });
    assert.deepEqual(conditionsOf(refused), ['NamesAccepted=False/ShortNamesConflict: "wd" is already in use', 'Established=False/NotAccepted: not all names are accepted']);
    assert.equal(env.registry.endpoints.get('example.com', 'v1', 'gadgets'), undefined);

    await env.delete(CRD_GVR, '', 'widgets.example.com');
    const accepted = await env.established('gadgets.example.com');
    assert.deepEqual(accepted.status?.acceptedNames?.shortNames, ['wd']);
    assert.equal(env.ep('example.com', 'v1', 'gadgets').rt.namespaced, false);
  });

  test('deleting a CRD deletes its objects in every namespace, then the CRD', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    for (const ns of ['default', 'other']) await env.create(WIDGETS_V1, ns, widget(`w-${ns}`, { color: 'red' }, ns));
    const res = await env.delete(CRD_GVR, '', 'widgets.example.com');
    assert.equal(res.deleted, false, 'the first delete only marks the CRD');
    assert.deepEqual(res.object.metadata.finalizers, [CUSTOM_RESOURCE_CLEANUP_FINALIZER]);
    await env.eventually('CRD gone', async () => (await env.crd('widgets.example.com')) === undefined);
    assert.equal(env.registry.endpoints.get(...WIDGETS_V1), undefined);
    assert.equal(env.registry.endpoints.get(...WIDGETS_BETA), undefined);
    assert.equal(env.printers.size, 0);
    assert.equal(env.scheme.definition('com.example.v1.Widget'), undefined);
    const left = await env.backend.range('/registry/example.com/', {});
    assert.equal(left.kvs.length, 0);
  });

  test('objects with finalizers hold the CRD in Terminating; creates are refused meanwhile', async () => {
    const env = await start();
    await env.create(CRD_GVR, '', widgetCRD());
    await env.established('widgets.example.com');
    await env.create(WIDGETS_V1, 'default', { ...widget('held', { color: 'red' }), metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] } });
    await env.delete(CRD_GVR, '', 'widgets.example.com');
    const terminating = await env.eventually('deletion check reported', async () => {
      const c = await env.crd('widgets.example.com');
      return c?.status?.conditions?.some((x) => x.reason === 'InstanceDeletionCheck') ? c : undefined;
    });
    assert.ok(conditionsOf(terminating).includes('Terminating=True/InstanceDeletionCheck: could not confirm zero CustomResources remaining: timed out waiting for the condition'));
    const refused = await env.create(WIDGETS_V1, 'default', widget('late', { color: 'red' })).then(
      () => assert.fail('create accepted while terminating'),
      (err: StatusError) => err,
    );
    assert.deepEqual([refused.code, refused.message], [405, 'create not allowed while custom resource definition is terminating']);

    const ep = env.ep(...WIDGETS_V1);
    await ep.store.guaranteedUpdate(env.ctx, 'default', 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await env.eventually('CRD gone', async () => (await env.crd('widgets.example.com')) === undefined);
    assert.equal(env.registry.endpoints.get(...WIDGETS_V1), undefined);
  });

  test('a restarted server serves existing CRDs before start() resolves', async () => {
    const backend = new MemoryBackend();
    const first = await start(backend);
    await first.create(CRD_GVR, '', widgetCRD());
    await first.established('widgets.example.com');
    await first.create(WIDGETS_V1, 'default', widget('kept', { color: 'green' }));
    first.stop();

    const second = await start(backend);
    const ep = second.ep(...WIDGETS_V1);
    assert.deepEqual((await ep.store.get('default', 'kept')).object.spec, { color: 'green', replicas: 1, size: 'medium' });
    assert.ok(second.printers.has('example.com/widgets/v1'));
    assert.ok(second.controller.isServed('widgets.example.com'));
  });
});
