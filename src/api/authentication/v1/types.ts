/** authentication.k8s.io/v1: TokenReview, SelfSubjectReview and the serviceaccounts/token payload. */
import { def, t, type Static, type T } from '../../schema/dsl.js';
import { ObjectMeta, Time } from '../../meta/v1.js';

export const GROUP = 'authentication.k8s.io';
export const VERSION = 'v1';
const A = 'io.k8s.api.authentication.v1.';
const gvk = (kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group: GROUP, version: VERSION, kind }] });
const str = (description: string): T<string> => t.string({ description });
const strList = (description: string): T<string[]> => t.array(t.string(), { listType: 'atomic', description });
const typeMeta = {
  apiVersion: str('The versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents, in CamelCase.'),
};

export const UserInfo = def(
  A + 'UserInfo',
  t.object(
    {
      extra: t.map(t.array(t.string(), { listType: 'atomic' }), { description: 'Extra attributes the authenticator provided.' }),
      groups: strList('Groups the user belongs to.'),
      uid: str('A value that identifies the user across time, unlike the name.'),
      username: str('The name that identifies the user.'),
    },
    { description: 'An authenticated user.' },
  ),
);

export const TokenReviewSpec = def(
  A + 'TokenReviewSpec',
  t.object(
    {
      audiences: strList('Audiences the token must be valid for; empty means the API server audiences.'),
      token: str('The opaque bearer token to check.'),
    },
    { description: 'The token to authenticate.' },
  ),
);

export const TokenReviewStatus = def(
  A + 'TokenReviewStatus',
  t.object(
    {
      audiences: strList('The audiences of the request the token is valid for.'),
      authenticated: t.bool({ description: 'Whether the token belongs to a known user.' }),
      error: str('Why the token could not be checked.'),
      user: t.ref(UserInfo, { description: 'The user the token belongs to.' }),
    },
    { description: 'The outcome of a token review.' },
  ),
);

export const TokenReview = def(
  A + 'TokenReview',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      spec: t.ref(TokenReviewSpec, { description: 'The token to authenticate.' }),
      status: t.ref(TokenReviewStatus, { description: 'Filled in by the server: whether the token is valid and whose it is.' }),
    },
    { required: ['spec'], description: 'Authenticates a bearer token; the result is returned, never stored.' },
  ),
  gvk('TokenReview'),
);

export const SelfSubjectReviewStatus = def(
  A + 'SelfSubjectReviewStatus',
  t.object({ userInfo: t.ref(UserInfo, { description: 'The attributes of the requesting user.' }) }, { description: 'Who the server thinks the requester is.' }),
);

export const SelfSubjectReview = def(
  A + 'SelfSubjectReview',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      status: t.ref(SelfSubjectReviewStatus, { description: 'Filled in by the server with the requesting user.' }),
    },
    { description: 'Returns the user attributes of the requester, as `kubectl auth whoami` shows.' },
  ),
  gvk('SelfSubjectReview'),
);

export const BoundObjectReference = def(
  A + 'BoundObjectReference',
  t.object(
    {
      apiVersion: str('API version of the referent.'),
      kind: str('Kind of the referent: Pod, Secret or Node.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
    },
    { description: 'The object a token is bound to; the token stops being valid when it is deleted.' },
  ),
);

export const TokenRequestSpec = def(
  A + 'TokenRequestSpec',
  t.object(
    {
      audiences: strList('Audiences the token is intended for.'),
      boundObjectRef: t.ref(BoundObjectReference, { description: 'An object the token is bound to.' }),
      expirationSeconds: t.int64({ description: 'Requested validity of the token in seconds; defaults to 3600.' }),
    },
    { required: ['audiences'], description: 'The token requested.' },
  ),
);

export const TokenRequestStatus = def(
  A + 'TokenRequestStatus',
  t.object(
    {
      expirationTimestamp: t.ref(Time, { description: 'When the token expires.' }),
      token: str('The issued token.'),
    },
    { required: ['token', 'expirationTimestamp'], description: 'The issued token.' },
  ),
);

export const TokenRequest = def(
  A + 'TokenRequest',
  t.object(
    {
      ...typeMeta,
      metadata: t.ref(ObjectMeta),
      spec: t.ref(TokenRequestSpec, { description: 'The token requested.' }),
      status: t.ref(TokenRequestStatus, { description: 'The issued token.' }),
    },
    { required: ['spec'], description: 'Requests a token for a service account (the serviceaccounts/token subresource).' },
  ),
  gvk('TokenRequest'),
);

export const authenticationDefinitions = [
  UserInfo,
  TokenReviewSpec,
  TokenReviewStatus,
  TokenReview,
  SelfSubjectReviewStatus,
  SelfSubjectReview,
  BoundObjectReference,
  TokenRequestSpec,
  TokenRequestStatus,
  TokenRequest,
] as const;

export type UserInfoT = Static<typeof UserInfo>;
export type TokenReviewT = Static<typeof TokenReview>;
export type SelfSubjectReviewT = Static<typeof SelfSubjectReview>;
export type BoundObjectReferenceT = Static<typeof BoundObjectReference>;
export type TokenRequestT = Static<typeof TokenRequest>;
