/**
 * Endpoints that are not plain storage: the review resources (answered, never
 * stored), pods/binding, pods/eviction, pods/ephemeralcontainers,
 * serviceaccounts/token and namespaces/finalize. Keyed `group/resource` or `group/resource/subresource`.
 */
import { StatusError, badRequest, conflict, methodNotAllowed, notFound } from '../../machinery/errors/status-error.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { isObject } from '../../machinery/meta/types.js';
import { rfc3339 } from '../../machinery/clock.js';
import type { Authenticator } from '../authn/types.js';
import type { ServiceAccountTokenIssuer } from '../authn/service-account-token.js';
import type { Authorizer, AuthzAttributes } from '../authz/types.js';
import { writeJSON } from '../http/respond.js';
import { namespaceFinalizeStrategy } from '../registry/core/namespaces.js';
import { podEphemeralContainersStrategy } from '../registry/core/pods.js';
import { checkEvictionBudget } from '../admission/plugins/eviction-budget.js';
import type { SubresourceHandler } from './resource-handler.js';

export interface SpecialDeps {
  authenticator: Authenticator;
  authorizer: Authorizer;
  tokenIssuer?: ServiceAccountTokenIssuer;
}

type Obj = Record<string, unknown>;

function successStatus(): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** Rules the always-allow authorizer grants; RBAC computes real ones. */
const ALLOW_ALL_RULES = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

export function specialHandlers(deps: SpecialDeps): Map<string, SubresourceHandler> {
  const m = new Map<string, SubresourceHandler>();

  const review = (fn: (body: KubeObject, args: Parameters<SubresourceHandler>[0]) => Promise<Obj>): SubresourceHandler => async (args) => {
    if (args.info.verb !== 'create') throw methodNotAllowed();
    const body = await args.handlers.readObject(args.ctx, args.ep, args.req, args.query);
    const status = await fn(body, args);
    const out = { ...body, metadata: { ...body.metadata, creationTimestamp: null }, status };
    writeJSON(args.res, 201, out);
  };

  m.set(
    'authentication.k8s.io/selfsubjectreviews',
    review(async (_body, { ctx }) => ({ userInfo: { username: ctx.user.username, ...(ctx.user.uid ? { uid: ctx.user.uid } : {}), groups: ctx.user.groups, ...(ctx.user.extra && Object.keys(ctx.user.extra).length ? { extra: ctx.user.extra } : {}) } })),
  );

  m.set(
    'authentication.k8s.io/tokenreviews',
    review(async (body) => {
      const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
      if (!spec.token) throw new StatusError(422, 'Invalid', 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value', { kind: 'TokenReview', group: 'authentication.k8s.io', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.token' }] });
      const r = await deps.authenticator.authenticate({ headers: { authorization: `Bearer ${spec.token}` } });
      if (r.kind !== 'authenticated') return { authenticated: false, user: {}, ...(r.kind === 'invalid' ? { error: r.message } : {}) };
      return { authenticated: true, user: r.user, audiences: spec.audiences ?? ['https://kubernetes.default.svc.cluster.local'] };
    }),
  );

  const accessReview = (kind: 'self' | 'subject' | 'local'): SubresourceHandler =>
    review(async (body, { ctx, info }) => {
      const spec = (body.spec ?? {}) as {
        resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
        nonResourceAttributes?: { path?: string; verb?: string };
        user?: string;
        groups?: string[];
        uid?: string;
        extra?: Record<string, string[]>;
      };
      const ra = spec.resourceAttributes;
      const nra = spec.nonResourceAttributes;
      const causes: { reason: string; message: string; field: string }[] = [];
      if (!ra && !nra) causes.push({ reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified', field: 'spec.resourceAttributes' });
      if (ra && nra) causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: cannot be specified in combination with resourceAttributes', field: 'spec.nonResourceAttributes' });
      if (kind !== 'self' && !spec.user && !(spec.groups ?? []).length) causes.push({ reason: 'FieldValueRequired', message: 'Required value: at least one of user or group must be specified', field: 'spec.user' });
      if (kind === 'local' && ra && ra.namespace !== info.namespace) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${ra.namespace ?? ''}": must match metadata.namespace`, field: 'spec.resourceAttributes.namespace' });
      if (causes.length) {
        const k = kind === 'self' ? 'SelfSubjectAccessReview' : kind === 'local' ? 'LocalSubjectAccessReview' : 'SubjectAccessReview';
        throw new StatusError(422, 'Invalid', `${k}.authorization.k8s.io "" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, { kind: k, group: 'authorization.k8s.io', causes });
      }
      const user = kind === 'self' ? ctx.user : { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
      const attrs: AuthzAttributes = ra
        ? { user, verb: ra.verb ?? '', isResourceRequest: true, namespace: ra.namespace ?? '', group: ra.group ?? '', version: ra.version ?? '', resource: ra.resource ?? '', subresource: ra.subresource ?? '', name: ra.name ?? '', path: '' }
        : { user, verb: nra!.verb ?? '', isResourceRequest: false, namespace: '', group: '', version: '', resource: '', subresource: '', name: '', path: nra!.path ?? '' };
      const d = await deps.authorizer.authorize(attrs);
      const out: Obj = { allowed: d.decision === 'allow' };
      if (d.decision === 'deny') out.denied = true;
      if (d.decision !== 'allow' && d.reason) out.reason = d.reason;
      return out;
    });
  m.set('authorization.k8s.io/selfsubjectaccessreviews', accessReview('self'));
  m.set('authorization.k8s.io/subjectaccessreviews', accessReview('subject'));
  m.set('authorization.k8s.io/localsubjectaccessreviews', accessReview('local'));
  m.set(
    'authorization.k8s.io/selfsubjectrulesreviews',
    review(async (body) => {
      const ns = (body.spec as { namespace?: string } | undefined)?.namespace;
      if (!ns) throw new StatusError(422, 'Invalid', 'SelfSubjectRulesReview.authorization.k8s.io "" is invalid: spec.namespace: Required value', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.namespace' }] });
      const rules = (deps.authorizer as { rulesFor?: (u: unknown, ns: string) => Promise<Obj> }).rulesFor;
      return rules ? rules.call(deps.authorizer, undefined, ns) : ALLOW_ALL_RULES;
    }),
  );

  // PUT /api/v1/namespaces/{name}/finalize
  m.set('/namespaces/finalize', async ({ ctx, info, ep, req, res, query, handlers }) => {
    if (info.verb !== 'update') throw methodNotAllowed();
    await handlers.update(ctx, ep, '', info.name, req, res, query, { strategy: namespaceFinalizeStrategy(ep.rt, ep.store.strategy), subresource: 'finalize' });
  });

  // GET, PUT and PATCH pods/{name}/ephemeralcontainers
  m.set('/pods/ephemeralcontainers', ({ ctx, info, ep, req, res, query, handlers }) =>
    handlers.objectSubresource(ctx, info, ep, req, res, query, { strategy: podEphemeralContainersStrategy(ep.rt, ep.store.strategy), subresource: 'ephemeralcontainers' }),
  );

  // POST pods/{name}/binding and POST bindings: assign a pod to a node.
  const bind = async (args: Parameters<SubresourceHandler>[0], podName: string, binding: KubeObject) => {
    const target = (binding as { target?: { kind?: string; name?: string } }).target;
    if (!target?.name) {
      throw new StatusError(422, 'Invalid', `Binding "${podName}" is invalid: target.name: Required value`, { name: podName, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
    }
    const pods = args.handlers.deps.endpoints.get('', 'v1', 'pods')!;
    await pods.store.guaranteedUpdate(args.ctx, args.info.namespace, podName, (pod) => {
      if (!pod) throw notFound({ group: '', resource: 'pods' }, podName);
      if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods' }, podName, 'pod is being deleted, cannot be assigned to a host');
      const spec = (pod.spec ??= {}) as { nodeName?: string };
      if (spec.nodeName) throw conflict({ group: '', resource: 'pods' }, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = target.name;
      const status = (pod.status ??= {}) as { conditions?: Obj[] };
      const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(args.ctx.clock.now()) });
      status.conditions = conds;
      const ann = (binding.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
      if (ann) pod.metadata.annotations = { ...pod.metadata.annotations, ...ann };
      return pod;
    }, { strategy: { ...pods.store.strategy, prepareForUpdate() {}, validateUpdate: () => [] } });
    writeJSON(args.res, 201, successStatus());
  };
  m.set('/pods/binding', async (args) => {
    if (args.info.verb !== 'create') throw methodNotAllowed();
    const bindingsEp = args.handlers.deps.endpoints.get('', 'v1', 'bindings') ?? args.ep;
    const body = await args.handlers.readObject(args.ctx, bindingsEp, args.req, args.query, { expect: { group: '', version: 'v1', kind: 'Binding' } });
    await bind(args, args.info.name, body);
  });
  m.set('/bindings', async (args) => {
    if (args.info.verb !== 'create') throw methodNotAllowed();
    const body = await args.handlers.readObject(args.ctx, args.ep, args.req, args.query);
    if (!body.metadata.name) throw badRequest('name is required');
    await bind(args, body.metadata.name, body);
  });

  // POST pods/{name}/eviction: a delete that disruption budgets may refuse.
  m.set('/pods/eviction', async (args) => {
    if (args.info.verb !== 'create') throw methodNotAllowed();
    const body = await args.handlers.readObject(args.ctx, args.ep, args.req, args.query, { expect: { group: 'policy', version: 'v1', kind: 'Eviction' } });
    const opts = (isObject(body.deleteOptions) ? body.deleteOptions : {}) as { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] };
    if (opts.dryRun?.includes('All')) args.ctx.dryRun = true;
    const pods = args.handlers.deps.endpoints.get('', 'v1', 'pods')!;
    const pod = await pods.store.get(args.info.namespace, args.info.name);
    await checkEvictionBudget(args.ctx, args.handlers.deps.endpoints.get('policy', 'v1', 'poddisruptionbudgets'), pod.clone());
    await args.handlers.deleteOne(args.ctx, pods, args.info.namespace, args.info.name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions: opts.preconditions });
    writeJSON(args.res, 201, successStatus());
  });

  // POST serviceaccounts/{name}/token: a bound, expiring JWT.
  m.set('/serviceaccounts/token', async (args) => {
    if (args.info.verb !== 'create') throw methodNotAllowed();
    if (!deps.tokenIssuer) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    const body = await args.handlers.readObject(args.ctx, args.ep, args.req, args.query, { expect: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } });
    const spec = (body.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; name?: string; uid?: string } };
    const exp = spec.expirationSeconds ?? 3600;
    if (exp < 600) {
      throw new StatusError(422, 'Invalid', `TokenRequest.authentication.k8s.io "${args.info.name}" is invalid: spec.expirationSeconds: Invalid value: ${exp}: may not specify a duration less than 10 minutes`, {
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes`, field: 'spec.expirationSeconds' }],
      });
    }
    const sa = await args.ep.store.get(args.info.namespace, args.info.name);
    const bound = spec.boundObjectRef?.kind && spec.boundObjectRef.name ? { kind: spec.boundObjectRef.kind as 'Pod', name: spec.boundObjectRef.name, uid: spec.boundObjectRef.uid ?? '' } : undefined;
    const audiences = spec.audiences?.length ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
    const issued = await deps.tokenIssuer.issue({ namespace: args.info.namespace, name: args.info.name, uid: sa.object.metadata.uid ?? '' }, { audiences, expirationSeconds: exp, bound });
    writeJSON(args.res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: args.info.name, namespace: args.info.namespace, creationTimestamp: rfc3339(args.ctx.clock.now()) },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token: issued.token, expirationTimestamp: rfc3339(issued.expirationTimestamp) },
    });
  });

  return m;
}
