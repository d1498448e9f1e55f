export * from './controller.js';
export * from './health.js';
export * from './taint-eviction.js';
export * from './types.js';
