import { describeServerSideSync } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createBucket } from '@trove/test-utils/moto';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's server-side copy scenario on S3: two buckets of moto behind one proxy. */
const endpoint = inject('s3Endpoint');

describeServerSideSync('s3 (moto)', {
  async setup() {
    const [a, b] = [await createBucket(endpoint, 'copy-a'), await createBucket(endpoint, 'copy-b')];
    const proxy = await startFaultProxy({ upstream: endpoint, seed: 21 });
    return {
      source: newBackend(proxy.url, a),
      target: newBackend(proxy.url, b),
      elsewhere: newBackend(endpoint, a),
      bodyBytes: () => proxy.counts().requestBodyBytes + proxy.counts().answerBodyBytes,
      teardown: () => proxy.stop(),
    };
  },
});
