import { runtimeConformance } from '../conformance.js';
import { createOciTestEnv, ociSkipReason } from './test-env.js';

runtimeConformance('oci', async () => createOciTestEnv(), { skip: ociSkipReason() });
