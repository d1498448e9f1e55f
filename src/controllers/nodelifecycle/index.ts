export * from './controller.js';
export * from './health.js';
export * from './taint-eviction.js';
export * from './types.js';
export * from './zones.js';
export * from './token-bucket.js';
export * from './rate-limited-timed-queue.js';
