export * from './pod-agent.js';
export * from './interfaces.js';
export * from './backoff.js';
export * from './plan.js';
export * from './pod-status.js';
export * from './dns.js';
export * from './qos.js';
export * from './runtime-config.js';
export { FIELD_MANAGER } from './pod-worker.js';
