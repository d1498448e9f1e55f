export * from './cidr-set.js';
export * from './controller.js';
