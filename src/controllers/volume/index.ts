export * from './annotations.js';
export * from './matching.js';
export * from './pv-controller.js';
export * from './local-path-provisioner.js';
export * from './volume-directories.js';
