export * from './types.js';
export * from './identity.js';
export * from './revision.js';
export * from './status.js';
export * from './pod-control.js';
export * from './stateful-set-control.js';
export * from './controller.js';
