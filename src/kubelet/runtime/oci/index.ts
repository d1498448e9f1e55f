export * from './layer-source.js';
export * from './oci-runtime.js';
export * from './oci-container-runtime.js';
export { parseCidr } from './ipam.js';
