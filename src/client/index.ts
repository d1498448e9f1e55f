export * from './rest/index.js';
export * from './cache/index.js';
export * from './informers/index.js';
export * from './workqueue/index.js';
export * from './leaderelection/index.js';
export * from './events/index.js';
