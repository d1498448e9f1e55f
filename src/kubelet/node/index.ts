export * from './conditions.js';
export * from './host-info.js';
export * from './node-flags.js';
export * from './node-status-manager.js';
export * from './join.js';
