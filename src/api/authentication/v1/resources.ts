/**
 * The authentication.k8s.io/v1 resources: create-only reviews, answered
 * and never stored. TokenRequest has no resource of its own; it is the
 * body of serviceaccounts/token.
 */
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { ResourceType } from '../../scheme.js';
import { GROUP, VERSION, SelfSubjectReview, TokenReview, type SelfSubjectReviewT, type TokenReviewT } from './types.js';

export const tokenReviews: ResourceType<TokenReviewT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'TokenReview',
  resource: 'tokenreviews',
  singular: 'tokenreview',
  namespaced: false,
  verbs: ['create'],
  storageVersion: true,
  definition: TokenReview,
};

export const selfSubjectReviews: ResourceType<SelfSubjectReviewT & KubeObject> = {
  group: GROUP,
  version: VERSION,
  kind: 'SelfSubjectReview',
  resource: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  namespaced: false,
  verbs: ['create'],
  storageVersion: true,
  definition: SelfSubjectReview,
};

export const authenticationResources = [selfSubjectReviews, tokenReviews] as const;
