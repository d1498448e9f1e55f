export * from './types.js';
export * from './authenticated-group.js';
export * from './anonymous-authenticator.js';
export * from './union-authenticator.js';
export * from './bearer-token-authenticator.js';
export * from './token-file-authenticator.js';
export * from './x509-authenticator.js';
export * from './authenticator-chain.js';
export { parseCSV, type CSVRecord, type CSVParseResult } from './csv.js';
