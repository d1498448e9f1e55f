export * from './budget.js';
export * from './controller.js';
