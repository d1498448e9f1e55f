/**
 * Every built-in group-version module, and the scheme they make together.
 * The list is explicit: adding a group means adding it here.
 */
import { metaDefinitions } from './meta/v1.js';
import { Scheme, type GroupVersionModule } from './scheme.js';
import { coreV1 } from './core/v1/index.js';
import { appsV1 } from './apps/v1/index.js';
import { batchV1 } from './batch/v1/index.js';
import { autoscalingV1 } from './autoscaling/v1/index.js';
import { autoscalingV2 } from './autoscaling/v2/index.js';
import { policyV1 } from './policy/v1/index.js';
import { networkingV1 } from './networking/v1/index.js';
import { rbacV1 } from './rbac/v1/index.js';
import { storageV1 } from './storage/v1/index.js';
import { coordinationV1 } from './coordination/v1/index.js';
import { discoveryV1 } from './discovery/v1/index.js';
import { eventsV1 } from './events/v1/index.js';
import { schedulingV1 } from './scheduling/v1/index.js';
import { apiextensionsV1 } from './apiextensions/v1/index.js';
import { authenticationV1 } from './authentication/v1/index.js';
import { authorizationV1 } from './authorization/v1/index.js';

export const builtinModules: readonly GroupVersionModule[] = [
  coreV1,
  appsV1,
  batchV1,
  autoscalingV1,
  autoscalingV2,
  policyV1,
  networkingV1,
  rbacV1,
  storageV1,
  coordinationV1,
  discoveryV1,
  eventsV1,
  schedulingV1,
  apiextensionsV1,
  authenticationV1,
  authorizationV1,
];

/** A fresh scheme holding every built-in type (CRDs are added to it at run time). */
export function builtinScheme(): Scheme {
  const defs = [...metaDefinitions, ...builtinModules.flatMap((m) => m.definitions)];
  return new Scheme(
    builtinModules.flatMap((m) => m.resources),
    defs,
  );
}
