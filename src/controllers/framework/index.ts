export * from './controller.js';
export * from './queue-worker.js';
export * from './expectations.js';
export * from './pods.js';
export * from './pod-control.js';
export * from './controller-ref-manager.js';
export * from './slow-start.js';
export * from './active-pods.js';
