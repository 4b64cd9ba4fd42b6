import { describeTransfers } from '@trove/conformance';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's transfer scenarios (server-side copies, ranged downloads) on GCS: two buckets of fake-gcs-server. */
const endpoint = inject('gcsEndpoint');

describeTransfers('gcs (fake-gcs-server)', {
  setup: async () => ({
    containers: [
      await createGcsBucket(endpoint, 'copy-a'),
      await createGcsBucket(endpoint, 'copy-b'),
    ],
    direct: endpoint,
    proxy: await startFaultProxy({ upstream: endpoint, seed: 21 }),
    backend: (at, bucket) => newBackend(at, bucket),
  }),
});
