export * from './sim-runtime.js';
export * from './script.js';
