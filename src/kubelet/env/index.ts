/**
 * Container environments for the node agent.
 *
 * - `resolveEnv(pod, container, deps)` builds the env list the runtime gets,
 *   or `{ ok: false, reason: 'CreateContainerConfigError', message }` with
 *   upstream's message (`configmap "x" not found`,
 *   `couldn't find key y in ConfigMap ns/x`). Warnings to record as pod
 *   events come back in `events`.
 * - `serviceEnvForPod(services, { namespace, enableServiceLinks })` renders
 *   the service link variables to pass as `deps.serviceEnv`.
 * - `expandCommandAndArgs(container, envs)` expands `$(VAR)` in command/args.
 * - `expand`, `extractPodField`, `extractMetadataField`,
 *   `extractContainerResource`, `limitsWithAllocatable` are shared with the
 *   downward API volume and subPathExpr.
 */
export { type EnvDeps, type EnvEvent, type EnvNodeInfo, type ResolveEnvResult, resolveEnv } from './resolve-env.js';
export { envVarsForServices, serviceEnvForPod } from './service-env.js';
export { expandCommandAndArgs } from './command.js';
export { type ExpansionMapping, expand, mappingFor } from './expansion.js';
export { type FieldResult, type PodRuntimeFields, extractMetadataField, extractPodField, formatMap } from './field-path.js';
export { type ResourceFieldSelector, type ResourceList, extractContainerResource, limitsWithAllocatable } from './resource-field.js';
