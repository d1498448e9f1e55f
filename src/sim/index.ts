export * from './cidr.js';
export * from './stages.js';
export * from './pod-status.js';
export * from './usage.js';
export * from './simulated-nodes.js';
