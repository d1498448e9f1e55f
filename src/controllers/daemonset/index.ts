export * from './types.js';
export * from './eligibility.js';
export * from './node-pods.js';
export * from './rolling-update.js';
export * from './status.js';
export * from './controller.js';
