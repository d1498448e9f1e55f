/**
 * gRPC plumbing for etcd v3: loads our .proto subset, keeps one channel per
 * endpoint and fails over to the next endpoint when one is unreachable.
 * Semantics (compare-and-swap, watch resumption) live in the backend.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { parseEndpoints } from './endpoints.js';

export { parseEndpoints };

export type ServiceName = 'KV' | 'Watch' | 'Lease' | 'Maintenance';

export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface EtcdClientOptions extends EtcdTlsFiles {
  /** `http(s)://host:port` URLs, tried in order. */
  endpoints: string[];
  /** Deadline for one unary call (default 30 s). */
  callTimeoutMs?: number;
}

interface Endpoint {
  url: string;
  target: string;
  secure: boolean;
  clients?: Record<ServiceName, grpc.Client>;
}

type ServiceCtor = new (target: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => grpc.Client;

let services: Record<ServiceName, ServiceCtor> | undefined;

function loadServices(): Record<ServiceName, ServiceCtor> {
  if (services) return services;
  // dist/storage/etcd/ -> <package root>/proto/etcd/
  const dir = fileURLToPath(new URL('../../../proto/etcd/', import.meta.url));
  const def = protoLoader.loadSync(['rpc.proto', 'kv.proto'], {
    includeDirs: [dir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def).etcdserverpb as unknown as Record<ServiceName, ServiceCtor>;
  services = { KV: pkg.KV, Watch: pkg.Watch, Lease: pkg.Lease, Maintenance: pkg.Maintenance };
  return services;
}

/** Splits and validates a comma-separated endpoint list. */
export class EtcdClient {
  private readonly endpoints: Endpoint[];
  private current = 0;
  private closed = false;
  private readonly tls?: grpc.ChannelCredentials;
  private readonly callTimeoutMs: number;

  constructor(opts: EtcdClientOptions) {
    this.endpoints = parseEndpoints(opts.endpoints);
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    if (this.endpoints.some((e) => e.secure)) {
      const read = (f?: string) => (f ? fs.readFileSync(f) : null);
      this.tls = grpc.credentials.createSsl(read(opts.caFile), read(opts.keyFile), read(opts.certFile));
    }
  }

  /** One request/response call; an unreachable endpoint hands the call to the next one. */
  async unary<Res>(service: ServiceName, method: string, req: object): Promise<Res> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const ep = this.endpoints[this.current]!;
      try {
        return await this.callOnce<Res>(ep, service, method, req);
      } catch (err) {
        lastErr = err;
        if (!isUnavailable(err) || this.closed) throw err;
        this.failOver(ep);
      }
    }
    throw lastErr;
  }

  /** A bidirectional stream on the current endpoint. */
  duplex(service: ServiceName, method: string): grpc.ClientDuplexStream<object, any> {
    const client = this.clientsFor(this.endpoints[this.current]!)[service] as unknown as Record<string, () => grpc.ClientDuplexStream<object, any>>;
    return client[method]!.call(client);
  }

  /** Moves to the next endpoint after a stream on the current one broke. */
  rotate(): void {
    this.failOver(this.endpoints[this.current]!);
  }

  get endpointCount(): number {
    return this.endpoints.length;
  }

  close(): void {
    this.closed = true;
    for (const ep of this.endpoints) {
      if (!ep.clients) continue;
      for (const c of Object.values(ep.clients)) c.close();
      ep.clients = undefined;
    }
  }

  private failOver(from: Endpoint): void {
    if (this.endpoints[this.current] === from) this.current = (this.current + 1) % this.endpoints.length;
  }

  private callOnce<Res>(ep: Endpoint, service: ServiceName, method: string, req: object): Promise<Res> {
    const client = this.clientsFor(ep)[service] as unknown as Record<string, (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Res) => void) => void>;
    return new Promise((resolve, reject) => {
      client[method]!.call(client, req, { deadline: Date.now() + this.callTimeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  private clientsFor(ep: Endpoint): Record<ServiceName, grpc.Client> {
    if (this.closed) throw new Error('etcd client is closed');
    if (!ep.clients) {
      const s = loadServices();
      const creds = ep.secure ? this.tls! : grpc.credentials.createInsecure();
      // One channel per endpoint shared by all four services.
      const kv = new s.KV(ep.target, creds, { 'grpc.max_receive_message_length': 256 << 20, 'grpc.keepalive_time_ms': 30_000 });
      const channelOverride = kv.getChannel();
      const opts = { channelOverride } as grpc.ClientOptions;
      ep.clients = { KV: kv, Watch: new s.Watch(ep.target, creds, opts), Lease: new s.Lease(ep.target, creds, opts), Maintenance: new s.Maintenance(ep.target, creds, opts) };
    }
    return ep.clients;
  }
}

export function isUnavailable(err: unknown): boolean {
  return (err as grpc.ServiceError | undefined)?.code === grpc.status.UNAVAILABLE;
}

export function grpcDetails(err: unknown): string {
  const e = err as Partial<grpc.ServiceError> | undefined;
  return e?.details ?? (err instanceof Error ? err.message : String(err));
}

export { grpc };
