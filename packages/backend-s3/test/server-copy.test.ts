import { describeServerSideSync } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's server-side copy scenario on S3: two buckets of moto. */
const endpoint = inject('s3Endpoint');

describeServerSideSync('s3 (moto)', {
  setup: async () => ({
    containers: [await createBucket(endpoint, 'copy-a'), await createBucket(endpoint, 'copy-b')],
    direct: endpoint,
    proxy: await startFaultProxy({ upstream: endpoint, seed: 21 }),
    backend: newBackend,
  }),
});
