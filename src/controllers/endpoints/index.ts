export * from './controller.js';
export * from './subsets.js';
