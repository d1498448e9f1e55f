export { CriImageService, CriRuntime, CriRuntimeService, createCriRuntime, EXEC_TIMEOUT_EXIT_CODE, type CriRuntimeOptions, type CriRuntimeServiceOptions, type StreamingTransport } from './cri-runtime.js';
export { criTarget } from './cri-client.js';
export { DEFAULT_CRI_AGENT_ID, LABEL_CRI_AGENT, criAgentId } from './agent-label.js';
export { cleanupCriAgent, type CriCleanupOptions, type CriCleanupResult } from './cleanup.js';
