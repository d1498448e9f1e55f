export * from './adapters.js';
export * from './status.js';
export * from './controller.js';
