export * from './controller.js';
export * from './desired.js';
export * from './reconciler.js';
