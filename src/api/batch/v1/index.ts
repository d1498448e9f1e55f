import type { GroupVersionModule } from '../../scheme.js';
import { batchV1Resources } from './resources.js';
import { batchV1Definitions } from './types.js';

export const batchV1: GroupVersionModule = { group: 'batch', version: 'v1', definitions: batchV1Definitions, resources: batchV1Resources };

export * from './types.js';
export * from './defaults.js';
export * from './validation.js';
export * from './resources.js';
export { parseCron, isKnownTimeZone, type CronSchedule, type CronParseResult } from './cron.js';
