export * from './discovery.js';
export * from './graph.js';
export * from './controller.js';
