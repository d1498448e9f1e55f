/** core/v1 Event validation (upstream's legacy event rules). */
import { type FieldError, field } from '../../../../machinery/errors/field.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../../machinery/validation/names.js';
import type { EventT } from '../types/event.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

export function validateEvent(ev: EventT): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const mismatch = () => field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) errs.push(mismatch());
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const rc = ev.reportingComponent ?? '';
    if (!rc) errs.push(field.required('reportingComponent', ''));
    for (const m of isQualifiedName(rc)) errs.push(field.invalid('reportingComponent', rc, m));
    const ri = ev.reportingInstance ?? '';
    if (!ri) errs.push(field.required('reportingInstance', ''));
    if (ri.length > REPORTING_INSTANCE_LIMIT) errs.push(field.tooLong('reportingInstance', '', REPORTING_INSTANCE_LIMIT));
    if (!ev.action) errs.push(field.required('action', ''));
    if ((ev.action ?? '').length > ACTION_LIMIT) errs.push(field.tooLong('action', '', ACTION_LIMIT));
    if (!ev.reason) errs.push(field.required('reason', ''));
    if ((ev.reason ?? '').length > REASON_LIMIT) errs.push(field.tooLong('reason', '', REASON_LIMIT));
    if ((ev.message ?? '').length > NOTE_LIMIT) errs.push(field.tooLong('message', '', NOTE_LIMIT));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(field.invalid('namespace', ns, m));
  return errs;
}
