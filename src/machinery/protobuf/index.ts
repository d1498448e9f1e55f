/** Kubernetes protobuf wire format: field-number tables and the codec that uses them. */
export * from './tags.js';
export * from './codec.js';
export { WireReader, WireWriter, WireType, readFields, type WireField } from './wire.js';
export { formatGoDuration, parseGoDuration } from './go-duration.js';
