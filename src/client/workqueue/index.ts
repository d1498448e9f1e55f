export * from './queue.js';
export * from './delaying-queue.js';
export * from './rate-limiters.js';
export * from './rate-limiting-queue.js';
