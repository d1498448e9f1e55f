export * from './framework/index.js';
export * from './replicaset/index.js';
export * from './manager.js';
export * from './registry.js';
