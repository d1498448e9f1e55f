export * from './controller.js';
export * from './plan.js';
