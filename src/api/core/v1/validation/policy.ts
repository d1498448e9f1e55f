/** ResourceQuota and LimitRange validation. */
import { type FieldError, FieldPath, field } from '../../../../machinery/errors/field.js';
import { mustParseQuantity } from '../../../../machinery/quantity.js';
import type { LimitRangeT, ResourceQuotaT } from '../types/policy.js';
import { quantity } from './common.js';
import { validateResourceList } from './resources.js';

const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

export function validateResourceQuota(rq: ResourceQuotaT): FieldError[] {
  const spec = new FieldPath('spec');
  const errs = validateResourceList(rq.spec?.hard, spec.child('hard'));
  const scopes = rq.spec?.scopes ?? [];
  for (const s of scopes) if (!QUOTA_SCOPES.includes(s)) errs.push(field.invalid(spec.child('scopes').text, scopes, 'unsupported scope'));
  if ((scopes.includes('Terminating') && scopes.includes('NotTerminating')) || (scopes.includes('BestEffort') && scopes.includes('NotBestEffort'))) {
    errs.push(field.invalid(spec.child('scopes').text, scopes, 'conflicting scopes'));
  }
  (rq.spec?.scopeSelector?.matchExpressions ?? []).forEach((r, i) => {
    const p = spec.child('scopeSelector').child('matchExpressions').index(i);
    if (!QUOTA_SCOPES.includes(r.scopeName)) errs.push(field.invalid(p.child('scopeName').text, r.scopeName, 'unsupported scope'));
    const n = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) errs.push(field.required(p.child('values').text, 'must be at least one value when `operator` is \'In\' or \'NotIn\''));
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) errs.push(field.invalid(p.child('values').text, r.values, 'must be no value when `operator` is \'Exist\' or \'DoesNotExist\''));
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) errs.push(field.invalid(p.child('operator').text, r.operator, 'not a valid selector operator'));
  });
  const status = new FieldPath('status');
  errs.push(...validateResourceList(rq.status?.hard, status.child('hard')), ...validateResourceList(rq.status?.used, status.child('used')));
  return errs;
}

export function validateLimitRange(lr: LimitRangeT): FieldError[] {
  const errs: FieldError[] = [];
  const limitsPath = new FieldPath('spec').child('limits');
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = limitsPath.index(i);
    // An omitted type is Go's empty string, which is not a supported one.
    const type = item.type ?? '';
    if (!LIMIT_TYPES.includes(type) && !type.includes('/')) errs.push(field.notSupported(p.child('type').text, type, LIMIT_TYPES));
    if (types.has(type)) errs.push(field.duplicate(p.child('type').text, type));
    types.add(type);
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) errs.push(...validateResourceList(item[k], p.child(k)));
    if (item.type === 'Pod') {
      if (item.default && Object.keys(item.default).length) errs.push(field.forbidden(p.child('default').text, "may not be specified when `type` is 'Pod'"));
      if (item.defaultRequest && Object.keys(item.defaultRequest).length) errs.push(field.forbidden(p.child('defaultRequest').text, "may not be specified when `type` is 'Pod'"));
    }
    const keys = new Set([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {}), ...Object.keys(item.maxLimitRequestRatio ?? {})]);
    for (const k of keys) {
      const min = quantity(item.min?.[k]);
      const max = quantity(item.max?.[k]);
      const def = quantity(item.default?.[k]);
      const defReq = quantity(item.defaultRequest?.[k]);
      const ratio = quantity(item.maxLimitRequestRatio?.[k]);
      const s = (q: { toString(): string }) => q.toString();
      if (min && max && min.cmp(max) > 0) errs.push(field.invalid(p.key(k).text, s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (defReq && min && min.cmp(defReq) > 0) errs.push(field.invalid(p.child('defaultRequest').key(k).text, s(defReq), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      if (defReq && max && defReq.cmp(max) > 0) errs.push(field.invalid(p.child('defaultRequest').key(k).text, s(defReq), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      if (defReq && def && defReq.cmp(def) > 0) errs.push(field.invalid(p.child('defaultRequest').key(k).text, s(defReq), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      if (def && min && min.cmp(def) > 0) errs.push(field.invalid(p.child('default').key(k).text, s(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      if (def && max && def.cmp(max) > 0) errs.push(field.invalid(p.child('default').key(k).text, s(max), `default value ${s(def)} is greater than max value ${s(max)}`));
      if (ratio && ratio.cmp(mustParseQuantity('1')) < 0) errs.push(field.invalid(p.child('maxLimitRequestRatio').key(k).text, s(ratio), `ratio ${s(ratio)} is less than 1`));
      if (ratio && min && max) {
        const maxRatio = max.value() / Math.max(min.value(), Number.MIN_VALUE);
        if (ratio.value() > maxRatio) errs.push(field.invalid(p.child('maxLimitRequestRatio').key(k).text, s(ratio), `ratio ${s(ratio)} is greater than max/min = ${maxRatio.toFixed(6)}`));
      }
    }
  });
  return errs;
}
