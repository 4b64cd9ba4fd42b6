import { describeServerSideSync } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's server-side copy scenario on GCS: two buckets of fake-gcs-server behind one proxy. */
const endpoint = inject('gcsEndpoint');

describeServerSideSync('gcs (fake-gcs-server)', {
  async setup() {
    const a = await createGcsBucket(endpoint, 'copy-a');
    const b = await createGcsBucket(endpoint, 'copy-b');
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
