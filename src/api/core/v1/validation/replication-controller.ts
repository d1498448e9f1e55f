/** ReplicationController validation. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import type { ReplicationControllerT } from '../types/replication-controller.js';
import { nonNegative } from './common.js';
import { mapSelectorMatches } from './label-selector.js';
import { validatePodTemplateSpec } from './pod.js';
import { validateLabels } from '../../../../machinery/validation/names.js';

export function validateReplicationController(rc: ReplicationControllerT): FieldError[] {
  const spec = new FieldPath('spec');
  const s = rc.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  const selector = s.selector ?? {};
  if (!Object.keys(selector).length) errs.push(field.required(spec.child('selector').text, ''));
  else errs.push(...validateLabels(selector, spec.child('selector').text));
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  const tplPath = spec.child('template');
  const tpl = s.template;
  if (!tpl) {
    errs.push(field.required(tplPath.text, ''));
    return errs;
  }
  if (Object.keys(selector).length && !mapSelectorMatches(selector, tpl.metadata?.labels)) {
    errs.push(field.invalid(tplPath.child('metadata').child('labels').text, tpl.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(tpl, tplPath));
  const restart = tpl.spec?.restartPolicy;
  if (restart !== 'Always') errs.push(field.notSupported(tplPath.child('spec').child('restartPolicy').text, restart ?? '', ['Always']));
  if (tpl.spec?.activeDeadlineSeconds !== undefined && tpl.spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(tplPath.child('spec').child('activeDeadlineSeconds').text, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateReplicationControllerStatus(rc: ReplicationControllerT): FieldError[] {
  const status = new FieldPath('status');
  const st = rc.status;
  if (!st) return [];
  const errs = [
    ...nonNegative(st.replicas, status.child('replicas')),
    ...nonNegative(st.fullyLabeledReplicas, status.child('fullyLabeledReplicas')),
    ...nonNegative(st.readyReplicas, status.child('readyReplicas')),
    ...nonNegative(st.availableReplicas, status.child('availableReplicas')),
    ...nonNegative(st.observedGeneration, status.child('observedGeneration')),
  ];
  const msg = 'cannot be greater than status.replicas';
  if ((st.fullyLabeledReplicas ?? 0) > st.replicas) errs.push(field.invalid(status.child('fullyLabeledReplicas').text, st.fullyLabeledReplicas, msg));
  if ((st.readyReplicas ?? 0) > st.replicas) errs.push(field.invalid(status.child('readyReplicas').text, st.readyReplicas, msg));
  if ((st.availableReplicas ?? 0) > st.replicas) errs.push(field.invalid(status.child('availableReplicas').text, st.availableReplicas, msg));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(field.invalid(status.child('availableReplicas').text, st.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}
