export * from './fieldset.js';
export * from './typed.js';
export * from './managed-fields.js';
export * from './conflict.js';
export * from './manager.js';
