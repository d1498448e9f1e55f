export * from './transport.js';
export * from './rest-config.js';
export * from './http2-transport.js';
export * from './kubeconfig.js';
export * from './rest-client.js';
export * from './resource-client.js';
export * from './watch-decoder.js';
