/**
 * Routes a ResourceType's single `validate` hook to the create, update or
 * status-update validation of a kind, as upstream's strategies call
 * Validate, ValidateUpdate and the status strategy's ValidateUpdate.
 */
import type { FieldError } from '../../../machinery/errors/field.js';
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { ValidationContext } from '../../scheme.js';

export interface KindValidators<X> {
  create(obj: X): FieldError[];
  update(obj: X, old: X): FieldError[];
  /** Validation of a status subresource update; none when absent. */
  status?(obj: X, old: X): FieldError[];
}

export function dispatchValidation<X>(fns: KindValidators<X>): (obj: KubeObject, old: KubeObject | undefined, ctx: ValidationContext) => FieldError[] {
  return (obj, old, ctx) => {
    const o = obj as unknown as X;
    if (ctx.operation === 'create' || !old) return fns.create(o);
    if (ctx.subresource === 'status') return fns.status ? fns.status(o, old as unknown as X) : [];
    return fns.update(o, old as unknown as X);
  };
}
