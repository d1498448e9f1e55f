export * from './field.js';
export * from './status-error.js';
