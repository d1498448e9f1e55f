export { CriImageService, CriRuntime, CriRuntimeService, createCriRuntime, EXEC_TIMEOUT_EXIT_CODE, type CriRuntimeOptions, type StreamingTransport } from './cri-runtime.js';
export { criTarget } from './cri-client.js';
