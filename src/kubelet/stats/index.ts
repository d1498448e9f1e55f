export * from './prometheus-text.js';
export * from './resource-metrics.js';
