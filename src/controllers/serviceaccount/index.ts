export * from './serviceaccounts-controller.js';
export * from './root-ca-cert-publisher.js';
