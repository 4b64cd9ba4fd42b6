import { describeUnderFaults } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's fault scenarios on S3: moto behind a fault proxy on loopback. */
const endpoint = inject('s3Endpoint');

// Sequential writers only: moto's conditional writes are not atomic under concurrency.
describeUnderFaults('s3 (moto, one writer at a time)', {
  async setup() {
    const bucket = await createBucket(endpoint, 'faults');
    const proxy = await startFaultProxy({ upstream: endpoint, seed: 18 });
    return {
      backend: newBackend(proxy.url, bucket),
      faults: proxy,
      teardown: () => proxy.stop(),
    };
  },
});
