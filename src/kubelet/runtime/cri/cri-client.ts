/**
 * gRPC plumbing for CRI v1: one channel to the runtime's unix socket, the two
 * services on it, and promise-returning unary calls with deadlines. Mapping
 * to the agent's types lives in cri-runtime.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CRI_PROTO, CRI_PROTO_FILE } from './cri-proto.js';

export type CriServiceName = 'RuntimeService' | 'ImageService';

type ServiceCtor = new (target: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => grpc.Client;

let services: Record<CriServiceName, ServiceCtor> | undefined;

function loadServices(): Record<CriServiceName, ServiceCtor> {
  if (services) return services;
  // proto-loader only reads files; the text ships inside the compiled module.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-cri-proto-'));
  try {
    fs.writeFileSync(path.join(dir, CRI_PROTO_FILE), CRI_PROTO);
    const def = protoLoader.loadSync(CRI_PROTO_FILE, {
      includeDirs: [dir],
      keepCase: true,
      longs: String,
      enums: String,
      bytes: Buffer,
      defaults: true,
      oneofs: true,
    });
    const root = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: Record<CriServiceName, ServiceCtor> } };
    services = { RuntimeService: root.runtime.v1.RuntimeService, ImageService: root.runtime.v1.ImageService };
    return services;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Turns `--container-runtime-endpoint` spellings (`unix:///run/x.sock`,
 * `/run/x.sock`) into a grpc-js target. Only unix sockets: CRI runtimes do not
 * listen on TCP by default and kubelet deprecated it.
 */
export function criTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.startsWith('unix:///') ? endpoint : `unix://${path.resolve(endpoint.slice('unix://'.length))}`;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) throw new Error(`cri: unsupported endpoint ${JSON.stringify(endpoint)}: only unix sockets are supported`);
  return `unix://${path.resolve(endpoint)}`;
}

export interface CriClientOptions {
  /** `unix:///run/containerd/containerd.sock` or a socket path. */
  endpoint: string;
  /** Deadline for one unary call (default 2 minutes, as kubelet's runtime-request-timeout). */
  callTimeoutMs?: number;
}

/** The gRPC code containerd and CRI-O use for a missing sandbox, container or image. */
export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as grpc.ServiceError).code === grpc.status.NOT_FOUND;
}

export function isDeadlineExceeded(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as grpc.ServiceError).code === grpc.status.DEADLINE_EXCEEDED;
}

/** The runtime's own message, without grpc-js's "<code> <NAME>: " prefix. */
export function criErrorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as grpc.ServiceError).details === 'string' && (err as grpc.ServiceError).details) {
    return (err as grpc.ServiceError).details;
  }
  return err instanceof Error ? err.message : String(err);
}

export class CriClient {
  private readonly clients: Record<CriServiceName, grpc.Client>;
  private readonly callTimeoutMs: number;

  constructor(opts: CriClientOptions) {
    const ctors = loadServices();
    const target = criTarget(opts.endpoint);
    const channelOptions: grpc.ClientOptions = {
      // ExecSync output is capped at 16 MiB per stream by runtimes; lists of many containers are large too.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
    };
    const runtime = new ctors.RuntimeService(target, grpc.credentials.createInsecure(), channelOptions);
    // Both services share the runtime's one channel, as kubelet does with one endpoint.
    const image = new ctors.ImageService(target, grpc.credentials.createInsecure(), { ...channelOptions, channelOverride: runtime.getChannel() });
    this.clients = { RuntimeService: runtime, ImageService: image };
    this.callTimeoutMs = opts.callTimeoutMs ?? 120_000;
  }

  /**
   * One unary call. `timeoutMs: 0` means no deadline (image pulls, long
   * ExecSyncs, which the runtime bounds itself).
   */
  call<Res>(service: CriServiceName, method: string, request: object, opts: { timeoutMs?: number } = {}): Promise<Res> {
    const client = this.clients[service] as unknown as Record<string, (req: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Res) => void) => void>;
    const fn = client[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`cri: ${service}.${method} is not declared in the proto subset`));
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    const callOptions: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    return new Promise((resolve, reject) => {
      fn.call(client, request, new grpc.Metadata(), callOptions, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /** Resolves once the channel is connected (the runtime is listening), or rejects at the deadline. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.clients.RuntimeService.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    this.clients.ImageService.close();
    this.clients.RuntimeService.close();
  }
}
