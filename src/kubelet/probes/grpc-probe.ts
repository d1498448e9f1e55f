/**
 * grpc probes: grpc.health.v1.Health/Check over plaintext HTTP/2 to the pod
 * IP, waiting for the connection within the timeout like a blocking dial.
 * Messages follow upstream's wording, with gRPC codes named as Go prints them.
 */
import type * as GRPC from '@grpc/grpc-js';
import type { ProbeOutcome } from './types.js';
import { HEALTH_CHECK_METHOD, SERVING_STATUS, decodeHealthCheckResponse, encodeHealthCheckRequest } from './grpc-health.js';
import { goDuration, joinHostPort } from './port.js';

/** UNIMPLEMENTED -> Unimplemented, as Go's codes.Code String(). */
function goCodeName(grpc: typeof GRPC, code: number): string {
  const name = (grpc.status as unknown as Record<number, string>)[code] ?? `Code(${code})`;
  if (name === 'OK') return 'OK';
  return name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

export async function grpcProbe(host: string, port: number, service: string, timeoutMs: number, userAgent: string): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goDuration(timeoutMs);
  // gRPC's client library loads with the first gRPC probe (most agents never run one), before the timeout starts.
  const grpc = await import('@grpc/grpc-js');
  const deadline = Date.now() + timeoutMs;
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': userAgent, 'grpc.enable_retries': 0 });
  try {
    const ready = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (err) => resolve(err ?? undefined)));
    if (ready) return { result: 'Failure', message: `timeout: failed to connect service "${addr}" within ${timeout}: context deadline exceeded` };
    return await new Promise<ProbeOutcome>((resolve) => {
      client.makeUnaryRequest(
        HEALTH_CHECK_METHOD,
        (m: { service: string }) => encodeHealthCheckRequest(m),
        (b: Buffer) => decodeHealthCheckResponse(b),
        { service },
        new grpc.Metadata(),
        { deadline },
        (err, resp) => {
          if (err) {
            if (err.code === grpc.status.UNIMPLEMENTED) {
              resolve({ result: 'Failure', message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
            } else if (err.code === grpc.status.DEADLINE_EXCEEDED) {
              resolve({ result: 'Failure', message: `timeout: health rpc did not complete within ${timeout}` });
            } else {
              resolve({ result: 'Failure', message: `error: health rpc probe failed: rpc error: code = ${goCodeName(grpc, err.code)} desc = ${err.details}` });
            }
            return;
          }
          const status = resp?.status ?? 0;
          if (status !== 1) resolve({ result: 'Failure', message: `service unhealthy (responded with "${SERVING_STATUS[status] ?? String(status)}")` });
          else resolve({ result: 'Success', message: 'service healthy' });
        },
      );
    });
  } finally {
    client.close();
  }
}
