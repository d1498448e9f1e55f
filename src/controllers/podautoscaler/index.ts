export * from './behavior.js';
export * from './conditions.js';
export * from './metrics-client.js';
export * from './replica-calculator.js';
export * from './scale-client.js';
export * from './controller.js';
