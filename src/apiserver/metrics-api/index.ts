export * from './types.js';
export * from './source.js';
export * from './simulated-usage-source.js';
export * from './metrics-api.js';
export * from './registry-reader.js';
