import { describeUnderFaults } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's fault scenarios on GCS: fake-gcs-server behind a fault proxy on loopback. */
const endpoint = inject('gcsEndpoint');

describeUnderFaults('gcs (fake-gcs-server)', {
  // A one-request upload names its object in the body, not the URL: the scenarios' conditional
  // writes (registry documents, run.json) are the uploads with a generation condition.
  writesOf:
    () =>
    ({ method, url }) =>
      method === 'POST' && url.includes('ifGenerationMatch'),
  async setup() {
    const bucket = await createGcsBucket(endpoint, 'faults');
    const proxy = await startFaultProxy({ upstream: endpoint, seed: 18 });
    return {
      // The backend's default attempts (the shared helper lowers them for its error tests).
      backend: newBackend(proxy.url, bucket, { maxAttempts: 5 }),
      faults: proxy,
      teardown: () => proxy.stop(),
    };
  },
});
