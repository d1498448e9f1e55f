/**
 * Admission: plugins that see every write after authentication and
 * authorization. Mutating plugins run before the object is validated and may
 * change it; validating plugins run last, on the final object, and may only
 * refuse. Each plugin says which operations it handles.
 */
import type { KubeObject } from '../../machinery/meta/types.js';
import type { RequestContext } from '../context.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  kind: string;
  namespace: string;
  name: string;
  /** The incoming object (storage version); mutating plugins may change it. */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
}

export interface MutatingPlugin {
  readonly name: string;
  handles(op: AdmissionOperation): boolean;
  admit(attrs: AdmissionAttributes, ctx: RequestContext): Promise<void>;
}

export interface ValidatingPlugin {
  readonly name: string;
  handles(op: AdmissionOperation): boolean;
  validate(attrs: AdmissionAttributes, ctx: RequestContext): Promise<void>;
}

/** The ordered plugin lists; an empty chain admits everything. */
export class AdmissionChain {
  constructor(
    readonly mutating: readonly MutatingPlugin[] = [],
    readonly validating: readonly ValidatingPlugin[] = [],
  ) {}

  async admit(attrs: AdmissionAttributes, ctx: RequestContext): Promise<void> {
    for (const p of this.mutating) if (p.handles(attrs.operation)) await p.admit(attrs, ctx);
  }

  async validate(attrs: AdmissionAttributes, ctx: RequestContext): Promise<void> {
    for (const p of this.validating) if (p.handles(attrs.operation)) await p.validate(attrs, ctx);
  }
}
