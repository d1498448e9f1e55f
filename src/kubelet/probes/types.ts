/** What one probe attempt answers, and what the prober needs from the agent to make it. */

/**
 * Success: the check passed (a `warning` marks a success upstream reports as
 * ProbeWarning, e.g. an HTTP redirect to another host that was not followed).
 * Failure: the check ran and failed; counts toward failureThreshold.
 * Unknown: the probe could not be run (bad port name, exec transport error);
 * the worker discards it and keeps the previous state.
 */
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** Output or failure text as upstream puts it in the `Unhealthy` event after "<Kind> probe failed: ". */
  message: string;
  warning?: boolean;
}

export interface ExecOutput {
  exitCode: number;
  stdout: string | Buffer;
  stderr: string | Buffer;
  timedOut: boolean;
}

export interface ProbeContext {
  /** Default host of httpGet/tcpSocket and the host of grpc probes. */
  podIP: string;
  /** Runs a command in the container (the runtime's execSync). */
  exec: (cmd: string[], timeoutMs: number) => Promise<ExecOutput>;
}

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export const PROBE_KIND_TITLE: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };
