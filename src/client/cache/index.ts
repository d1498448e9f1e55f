export * from './keys.js';
export * from './store.js';
export * from './lister.js';
