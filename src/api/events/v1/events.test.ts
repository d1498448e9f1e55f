import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../machinery/errors/field.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import { metaDefinitions } from '../../meta/v1.js';
import { coreV1 } from '../../core/v1/index.js';
import { eventsV1, convertEvent, validateEvent, type EventT } from './index.js';

const good = (): EventT => ({
  metadata: { name: 'web.1', namespace: 'default' },
  eventTime: '2024-05-01T10:00:00.000000Z',
  reportingController: 'example.com/controller',
  reportingInstance: 'controller-0',
  action: 'Scale',
  reason: 'ScaledUp',
  type: 'Normal',
  note: 'scaled to 3',
  regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
});

describe('events.k8s.io/v1', () => {
  test('every $ref resolves', () => {
    const known = new Set([...eventsV1.definitions, ...metaDefinitions, ...coreV1.definitions].map((d) => `#/definitions/${d.name}`));
    for (const [, ref] of JSON.stringify(eventsV1.definitions.map((d) => d.definition)).matchAll(/"\$ref":"([^"]+)"/g)) assert.ok(known.has(ref!), ref);
  });

  test('served from core storage, not the storage version', () => {
    const r = eventsV1.resources[0]!;
    assert.equal(r.resource, 'events');
    assert.equal(r.storageVersion, false);
    assert.deepEqual(r.shortNames, ['ev']);
  });

  test('conversion renames fields both ways', () => {
    const ev = { apiVersion: 'events.k8s.io/v1', kind: 'Event', ...good(), deprecatedCount: 3, deprecatedSource: { component: 'kubelet' } } as KubeObject;
    const stored = convertEvent(ev, 'toStorage');
    assert.equal(stored.apiVersion, 'v1');
    assert.equal(stored.message, 'scaled to 3');
    assert.deepEqual(stored.involvedObject, { kind: 'Deployment', name: 'web', namespace: 'default' });
    assert.equal(stored.reportingComponent, 'example.com/controller');
    assert.equal(stored.count, 3);
    assert.deepEqual(stored.source, { component: 'kubelet' });
    for (const k of ['note', 'regarding', 'reportingController', 'deprecatedCount', 'deprecatedSource']) assert.equal(k in stored, false, k);
    assert.equal(stored.eventTime, ev.eventTime);
    assert.deepEqual(convertEvent(stored, 'fromStorage'), ev);
  });

  const cases: { name: string; ev: EventT; want: string[] }[] = [
    { name: 'valid', ev: good(), want: [] },
    { name: 'missing eventTime', ev: { ...good(), eventTime: undefined as never }, want: ['eventTime: Required value'] },
    { name: 'bad type', ev: { ...good(), type: 'Info' }, want: ['type: Invalid value: "": has invalid value: Info'] },
    { name: 'missing reporting controller', ev: { ...good(), reportingController: '' }, want: ['reportingController: Required value', 'reportingController: Invalid value: "": name part must be non-empty'] },
    { name: 'deprecated field set', ev: { ...good(), deprecatedCount: 2 }, want: ['deprecatedCount: Invalid value: "": needs to be unset'] },
    { name: 'short series', ev: { ...good(), series: { count: 1, lastObservedTime: '2024-05-01T10:00:00.000000Z' } }, want: ['series.count: Invalid value: "": should be at least 2'] },
    { name: 'namespace mismatch', ev: { ...good(), regarding: { kind: 'Pod', name: 'p', namespace: 'other' } }, want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'] },
  ];
  for (const c of cases) test(`event create: ${c.name}`, () => assert.deepEqual(validateEvent(c.ev, undefined).map(fieldErrorText), c.want));

  test('event update: only series may change', () => {
    const old = good();
    assert.deepEqual(validateEvent({ ...old, series: { count: 2, lastObservedTime: '2024-05-01T10:01:00.000000Z' } }, old), []);
    assert.deepEqual(validateEvent({ ...old, note: 'changed' }, old).map(fieldErrorText), ['message: Invalid value: "changed": field is immutable']);
  });
});
