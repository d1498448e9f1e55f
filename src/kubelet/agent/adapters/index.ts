export { VolumeManagerHost, type VolumeManagerHostOptions } from './volume-host-adapter.js';
export { APIEnvResolver, type APIEnvResolverOptions, SERVICES_NOT_SYNCED } from './env-resolver-adapter.js';
export { ProbeWorkersFactory, type ProbeWorkersFactoryOptions } from './prober-adapter.js';
