/**
 * Container probes for the node agent.
 *
 * - `new Prober({ userAgent })`, `probe(pod, container, probe, { podIP, exec })`
 *   runs one attempt (httpGet, tcpSocket, exec, grpc) and answers
 *   `{ result: 'Success' | 'Failure' | 'Unknown', message, warning? }`.
 * - `new ProbeWorkers({ prober, clock, status, exec, onResult, onEvent })`
 *   runs startup/liveness/readiness per container: `addPod(pod)`,
 *   `updatePod(pod)`, `removePod(uid)`, `trigger(uid, name, kind?)`,
 *   `result(uid, name, kind)`, `dispose()`. `onResult(uid, name, kind,
 *   result, { containerID, terminationGracePeriodSeconds })` fires when a
 *   result changes: readiness drives Ready, startup Success sets started,
 *   liveness/startup Failure means restart the container. `onEvent` carries
 *   the `Unhealthy` / `ProbeWarning` events with upstream's messages.
 */
export { DEFAULT_PROBE_USER_AGENT, Prober, type ProberOptions } from './prober.js';
export {
  type ContainerProbeStatus, type PodProbeStatus, type ProbeEvent, type ProbeResultInfo, ProbeWorkers, type ProbeWorkersOptions,
} from './probe-workers.js';
export { type ExecOutput, PROBE_KIND_TITLE, type ProbeContext, type ProbeKind, type ProbeOutcome, type ProbeResult } from './types.js';
export {
  HEALTH_CHECK_METHOD, SERVING_STATUS, decodeHealthCheckRequest, decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse,
} from './grpc-health.js';
