import { describeTransfers } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's transfer scenarios (server-side copies, ranged downloads) on S3: two buckets of moto. */
const endpoint = inject('s3Endpoint');

describeTransfers('s3 (moto)', {
  setup: async () => ({
    containers: [await createBucket(endpoint, 'copy-a'), await createBucket(endpoint, 'copy-b')],
    direct: endpoint,
    proxy: await startFaultProxy({ upstream: endpoint, seed: 21 }),
    backend: newBackend,
  }),
});
