import { describeBackendConformance } from '@trove/conformance';
import { createBucket } from '@trove/test-utils/moto';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

const endpoint = inject('s3Endpoint');
// One bucket for the file; the suite gives every case its own key prefix inside it.
const bucket = await createBucket(endpoint, 'conformance');

// Nothing turned off: moto honours every capability S3 has that trove declares.
describeBackendConformance('s3 (moto)', { create: () => newBackend(endpoint, bucket) });
