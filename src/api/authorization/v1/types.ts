/** authorization.k8s.io/v1: access reviews (may this subject do that?) and rules reviews. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { LabelSelectorRequirement, ObjectMeta } from '../../meta/v1.js';

export const GROUP = 'authorization.k8s.io';
export const VERSION = 'v1';
const Z = 'io.k8s.api.authorization.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] });
const str = (description: string): T<string> => t.string({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
const typeMeta = {
  apiVersion: str('The versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents, in CamelCase.'),
};

export const FieldSelectorRequirement = def(
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement',
  t.object(
    {
      key: str('The field the requirement applies to.'),
      operator: str('In, NotIn, Exists or DoesNotExist.'),
      values: strList('Values for In and NotIn; empty for Exists and DoesNotExist.'),
    },
    { required: ['key', 'operator'], description: 'One requirement of a field selector.' },
  ),
);

export const FieldSelectorAttributes = def(
  Z + 'FieldSelectorAttributes',
  t.object(
    {
      rawSelector: str('The field selector as written in a query string; mutually exclusive with requirements.'),
      requirements: t.array(t.ref(FieldSelectorRequirement), { listType: 'atomic', description: 'The parsed requirements of the selector.' }),
    },
    { description: 'The field selector of the request being authorized.' },
  ),
);

export const LabelSelectorAttributes = def(
  Z + 'LabelSelectorAttributes',
  t.object(
    {
      rawSelector: str('The label selector as written in a query string; mutually exclusive with requirements.'),
      requirements: t.array(t.ref(LabelSelectorRequirement), { listType: 'atomic', description: 'The parsed requirements of the selector.' }),
    },
    { description: 'The label selector of the request being authorized.' },
  ),
);

export const ResourceAttributes = def(
  Z + 'ResourceAttributes',
  t.object(
    {
      fieldSelector: t.ref(FieldSelectorAttributes, { description: 'The field selector of a list or watch.' }),
      group: str('API group of the resource; "*" means all.'),
      labelSelector: t.ref(LabelSelectorAttributes, { description: 'The label selector of a list or watch.' }),
      name: str('Name of the object; empty means all.'),
      namespace: str('Namespace of the request; empty means all namespaces for namespaced resources.'),
      resource: str('The resource; "*" means all.'),
      subresource: str('The subresource; empty means none.'),
      verb: str('The verb, e.g. get, list, watch, create, or a custom one such as use or bind; "*" means all.'),
      version: str('API version of the resource; "*" means all.'),
    },
    { description: 'A request on an API resource, as the authorizer sees it.' },
  ),
);

export const NonResourceAttributes = def(
  Z + 'NonResourceAttributes',
  t.object({ path: str('The URL path of the request.'), verb: str('The HTTP verb, lower-case (get, post, ...).') }, { description: 'A request on a non-resource URL.' }),
);

export const SubjectAccessReviewSpec = def(
  Z + 'SubjectAccessReviewSpec',
  t.object(
    {
      extra: t.map(t.array(t.string(), { listType: 'atomic' }), { description: 'Extra attributes of the user, as the authenticator provided them.' }),
      groups: strList('Groups of the user.'),
      nonResourceAttributes: t.ref(NonResourceAttributes, { description: 'The non-resource request to check; mutually exclusive with resourceAttributes.' }),
      resourceAttributes: t.ref(ResourceAttributes, { description: 'The resource request to check; mutually exclusive with nonResourceAttributes.' }),
      uid: str('UID of the user.'),
      user: str('The user to check; at least one of user or groups is required.'),
    },
    { description: 'The request and the user to check it for.' },
  ),
);

export const SelfSubjectAccessReviewSpec = def(
  Z + 'SelfSubjectAccessReviewSpec',
  t.object(
    {
      nonResourceAttributes: t.ref(NonResourceAttributes, { description: 'The non-resource request to check.' }),
      resourceAttributes: t.ref(ResourceAttributes, { description: 'The resource request to check.' }),
    },
    { description: 'The request to check for the requesting user; exactly one attribute set must be given.' },
  ),
);

export const SubjectAccessReviewStatus = def(
  Z + 'SubjectAccessReviewStatus',
  t.object(
    {
      allowed: t.bool({ description: 'Whether the action is allowed.' }),
      denied: t.bool({ description: 'Whether the action is explicitly denied; both allowed and denied false means no opinion.' }),
      evaluationError: str('An error met while checking; the result may still be meaningful.'),
      reason: str('Why the request was allowed or denied.'),
    },
    { required: ['allowed'], description: 'The outcome of an access review.' },
  ),
);

function review<S>(kind: string, spec: T<S>, description: string) {
  return def(
    Z + kind,
    t.object(
      {
        ...typeMeta,
        metadata: t.ref(ObjectMeta),
        spec: t.describe(spec, 'The request to check.'),
        status: t.ref(SubjectAccessReviewStatus, { description: 'Filled in by the server: whether the request is allowed.' }),
      },
      { required: ['spec'], description },
    ),
    gvk(kind),
  );
}

export const SubjectAccessReview = review('SubjectAccessReview', SubjectAccessReviewSpec, 'Checks whether a given user or group may perform an action.');
export const SelfSubjectAccessReview = review('SelfSubjectAccessReview', SelfSubjectAccessReviewSpec, 'Checks whether the requesting user may perform an action, as `kubectl auth can-i` does.');
export const LocalSubjectAccessReview = review('LocalSubjectAccessReview', SubjectAccessReviewSpec, 'Checks whether a given user or group may perform an action within one namespace.');

export const SelfSubjectRulesReviewSpec = def(
  Z + 'SelfSubjectRulesReviewSpec',
  t.object({ namespace: str('The namespace to list the rules for.') }, { description: 'Which namespace to evaluate rules in.' }),
);

export const ResourceRule = def(
  Z + 'ResourceRule',
  t.object(
    {
      apiGroups: strList('API groups of the resources; "*" means all.'),
      resourceNames: strList('Object names the rule is limited to; empty means all.'),
      resources: strList('Resources the rule applies to; "*" means all.'),
      verbs: strList('Verbs allowed; "*" means all.'),
    },
    { required: ['verbs'], description: 'Actions allowed on resources.' },
  ),
);

export const NonResourceRule = def(
  Z + 'NonResourceRule',
  t.object(
    {
      nonResourceURLs: strList('URL paths the rule applies to; a trailing "*" matches a prefix.'),
      verbs: strList('HTTP verbs allowed; "*" means all.'),
    },
    { required: ['verbs'], description: 'Actions allowed on non-resource URLs.' },
  ),
);

export const SubjectRulesReviewStatus = def(
  Z + 'SubjectRulesReviewStatus',
  t.object(
    {
      evaluationError: str('An error met while listing rules; the list may be incomplete.'),
      incomplete: t.bool({ description: 'True when the authorizer cannot enumerate every rule.' }),
      nonResourceRules: t.array(t.ref(NonResourceRule), { listType: 'atomic', description: 'Rules on non-resource URLs.' }),
      resourceRules: t.array(t.ref(ResourceRule), { listType: 'atomic', description: 'Rules on resources.' }),
    },
    { required: ['resourceRules', 'nonResourceRules', 'incomplete'], description: 'The rules a user has in a namespace.' },
  ),
);

export const SelfSubjectRulesReview = def(
  Z + 'SelfSubjectRulesReview',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      spec: t.ref(SelfSubjectRulesReviewSpec, { description: 'The namespace to list rules in.' }),
      status: t.ref(SubjectRulesReviewStatus, { description: 'Filled in by the server: the rules.' }),
    },
    { required: ['spec'], description: 'Lists what the requesting user may do in a namespace, as `kubectl auth can-i --list` does.' },
  ),
  gvk('SelfSubjectRulesReview'),
);

export const authorizationDefinitions = [
  FieldSelectorRequirement,
  FieldSelectorAttributes,
  LabelSelectorAttributes,
  ResourceAttributes,
  NonResourceAttributes,
  SubjectAccessReviewSpec,
  SelfSubjectAccessReviewSpec,
  SubjectAccessReviewStatus,
  SubjectAccessReview,
  SelfSubjectAccessReview,
  LocalSubjectAccessReview,
  SelfSubjectRulesReviewSpec,
  ResourceRule,
  NonResourceRule,
  SubjectRulesReviewStatus,
  SelfSubjectRulesReview,
] as const;

export type ResourceAttributesT = Static<typeof ResourceAttributes>;
export type NonResourceAttributesT = Static<typeof NonResourceAttributes>;
export type SubjectAccessReviewSpecT = Static<typeof SubjectAccessReviewSpec>;
export type SubjectAccessReviewStatusT = Static<typeof SubjectAccessReviewStatus>;
export type SubjectAccessReviewT = Static<typeof SubjectAccessReview>;
export type SelfSubjectAccessReviewT = Static<typeof SelfSubjectAccessReview>;
export type LocalSubjectAccessReviewT = Static<typeof LocalSubjectAccessReview>;
export type SelfSubjectRulesReviewT = Static<typeof SelfSubjectRulesReview>;
export type SubjectRulesReviewStatusT = Static<typeof SubjectRulesReviewStatus>;
