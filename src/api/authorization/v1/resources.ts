/** The authorization.k8s.io/v1 resources: create-only reviews, answered and never stored. */
import type { KubeObject } from '../../../machinery/meta/types.js';
import type { ResourceType } from '../../scheme.js';
import {
  GROUP,
  VERSION,
  LocalSubjectAccessReview,
  SelfSubjectAccessReview,
  SelfSubjectRulesReview,
  SubjectAccessReview,
  type LocalSubjectAccessReviewT,
  type SelfSubjectAccessReviewT,
  type SelfSubjectRulesReviewT,
  type SubjectAccessReviewT,
} from './types.js';
import { validateLocalSubjectAccessReview, validateSelfSubjectAccessReview, validateSelfSubjectRulesReview, validateSubjectAccessReview } from './validation.js';

const common = { group: GROUP, version: VERSION, verbs: ['create'], storageVersion: true } as const;

export const localSubjectAccessReviews: ResourceType<LocalSubjectAccessReviewT & KubeObject> = {
  ...common,
  verbs: ['create'],
  kind: 'LocalSubjectAccessReview',
  resource: 'localsubjectaccessreviews',
  singular: 'localsubjectaccessreview',
  namespaced: true,
  definition: LocalSubjectAccessReview,
  validate: (obj) => validateLocalSubjectAccessReview(obj),
};

export const selfSubjectAccessReviews: ResourceType<SelfSubjectAccessReviewT & KubeObject> = {
  ...common,
  verbs: ['create'],
  kind: 'SelfSubjectAccessReview',
  resource: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  definition: SelfSubjectAccessReview,
  validate: (obj) => validateSelfSubjectAccessReview(obj),
};

export const selfSubjectRulesReviews: ResourceType<SelfSubjectRulesReviewT & KubeObject> = {
  ...common,
  verbs: ['create'],
  kind: 'SelfSubjectRulesReview',
  resource: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  namespaced: false,
  definition: SelfSubjectRulesReview,
  validate: (obj) => validateSelfSubjectRulesReview(obj),
};

export const subjectAccessReviews: ResourceType<SubjectAccessReviewT & KubeObject> = {
  ...common,
  verbs: ['create'],
  kind: 'SubjectAccessReview',
  resource: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  namespaced: false,
  definition: SubjectAccessReview,
  validate: (obj) => validateSubjectAccessReview(obj),
};

export const authorizationResources = [localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews] as const;
