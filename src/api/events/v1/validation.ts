/**
 * Upstream's strict validation of events created through events.k8s.io/v1
 * (ValidateEventCreate/Update). Paths name the internal fields as upstream
 * reports them (involvedObject, message, ...).
 */
import { type FieldError, field } from '../../../machinery/errors/field.js';
import { isQualifiedName } from '../../../machinery/validation/names.js';
import type { EventT } from './types.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

export function validateEventCreate(ev: EventT): FieldError[] {
  const out: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const regardingNs = ev.regarding?.namespace ?? '';
  if (regardingNs ? regardingNs !== ns : !['', 'default', 'kube-system'].includes(ns)) {
    out.push(field.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
  }
  const controller = ev.reportingController ?? '';
  if (!controller) out.push(field.required('reportingController', ''));
  for (const m of isQualifiedName(controller)) out.push(field.invalid('reportingController', controller, m));
  const instance = ev.reportingInstance ?? '';
  if (!instance) out.push(field.required('reportingInstance', ''));
  if (instance.length > REPORTING_INSTANCE_LIMIT) out.push(field.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
  const action = ev.action ?? '';
  if (!action) out.push(field.required('action', ''));
  if (action.length > ACTION_LIMIT) out.push(field.invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  const reason = ev.reason ?? '';
  if (!reason) out.push(field.required('reason', ''));
  if (reason.length > REASON_LIMIT) out.push(field.invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
  if ((ev.note ?? '').length > NOTE_LIMIT) out.push(field.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));

  if (ev.series) {
    if ((ev.series.count ?? 0) < 2) out.push(field.invalid('series.count', '', 'should be at least 2'));
    if (!ev.series.lastObservedTime) out.push(field.required('series.lastObservedTime', ''));
  }
  if (!ev.eventTime) out.push(field.required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') out.push(field.invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (ev.deprecatedFirstTimestamp) out.push(field.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) out.push(field.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedCount) out.push(field.invalid('deprecatedCount', '', 'needs to be unset'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) out.push(field.invalid('deprecatedSource', '', 'needs to be unset'));
  return out;
}

/** Only the series of an event may change. */
export function validateEventUpdate(ev: EventT, old: EventT): FieldError[] {
  const immutable: [keyof EventT, string][] = [
    ['regarding', 'involvedObject'],
    ['reason', 'reason'],
    ['note', 'message'],
    ['deprecatedSource', 'source'],
    ['deprecatedFirstTimestamp', 'firstTimestamp'],
    ['deprecatedLastTimestamp', 'lastTimestamp'],
    ['deprecatedCount', 'count'],
    ['type', 'type'],
    ['eventTime', 'eventTime'],
    ['action', 'action'],
    ['related', 'related'],
    ['reportingController', 'reportingController'],
    ['reportingInstance', 'reportingInstance'],
  ];
  const out: FieldError[] = [];
  for (const [key, path] of immutable) {
    if (JSON.stringify(ev[key]) !== JSON.stringify(old[key])) out.push(field.invalid(path, ev[key] ?? null, 'field is immutable'));
  }
  return out;
}

export function validateEvent(ev: EventT, old: EventT | undefined): FieldError[] {
  return old ? validateEventUpdate(ev, old) : validateEventCreate(ev);
}
