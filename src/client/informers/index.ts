export * from './lister-watcher.js';
export * from './reflector.js';
export * from './shared-informer.js';
export * from './shared-informer-factory.js';
