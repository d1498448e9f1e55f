export * from './certificate.js';
export * from './parse.js';
export * from './ip.js';
export * from './cluster-pki.js';
export * from './kubeconfig.js';
