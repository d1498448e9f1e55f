/** Every core/v1 definition and its TypeScript type. */
export * from './types/references.js';
export * from './types/volume-sources.js';
export * from './types/scheduling.js';
export * from './types/persistent-volume.js';
export * from './types/volume.js';
export * from './types/container.js';
export * from './types/pod.js';
export * from './types/service.js';
export * from './types/node.js';
export * from './types/namespace.js';
export * from './types/config.js';
export * from './types/service-account.js';
export * from './types/event.js';
export * from './types/policy.js';
export * from './types/replication-controller.js';
export * from './types/component-status.js';
