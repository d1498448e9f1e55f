/**
 * Authorization: given who asks and what for (upstream's authorizer
 * attributes), an authorizer allows, denies, or has no opinion. The chain
 * asks each in order; the first decision wins; no opinion at the end denies.
 */
import type { UserInfo } from '../authn/types.js';

export interface AuthzAttributes {
  user: UserInfo;
  verb: string;
  /** Resource requests. */
  isResourceRequest: boolean;
  namespace: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
  /** Non-resource requests (/healthz, /version...). */
  path: string;
}

export type Decision = { decision: 'allow' } | { decision: 'deny'; reason: string } | { decision: 'no-opinion'; reason?: string };

export interface Authorizer {
  authorize(attrs: AuthzAttributes): Promise<Decision> | Decision;
}

/** Allows every authenticated request (RBAC objects exist but are not enforced yet). */
export class AlwaysAllowAuthorizer implements Authorizer {
  authorize(): Decision {
    return { decision: 'allow' };
  }
}

export class AuthorizerChain implements Authorizer {
  constructor(private readonly authorizers: readonly Authorizer[]) {}
  async authorize(attrs: AuthzAttributes): Promise<Decision> {
    let reason = '';
    for (const a of this.authorizers) {
      const d = await a.authorize(attrs);
      if (d.decision !== 'no-opinion') return d;
      if (d.reason) reason = d.reason;
    }
    return { decision: 'deny', reason };
  }
}

/** Upstream's Forbidden text: `User "u" cannot list resource "pods" in API group "" in the namespace "ns"`. */
export function forbiddenMessage(a: AuthzAttributes): string {
  if (!a.isResourceRequest) return `User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  let s = `User "${a.user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group}"`;
  s += a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return s;
}
