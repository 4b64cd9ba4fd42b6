import { describeBackendConformance } from '@trove/conformance';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { inject } from 'vitest';
import { MIB, newBackend } from './helpers.js';

const endpoint = inject('gcsEndpoint');
// One bucket for the file; the suite gives every case its own key prefix inside it.
const bucket = await createGcsBucket(endpoint, 'conformance');

// Nothing turned off. fake-gcs-server ignores preconditions on rewrites: there, copy's
// ifNoneMatch holds through the backend's lookup before the rewrite, not GCS's atomic check.
describeBackendConformance('gcs (fake-gcs-server)', {
  create: () => newBackend(endpoint, bucket),
});

// The same suite with 256 KiB chunks, so the large-object cases go through resumable sessions
// of many chunks (and streams through the look-ahead chunker).
describeBackendConformance('gcs (fake-gcs-server, 256 KiB chunks)', {
  create: () => newBackend(endpoint, bucket, { chunkSize: MIB / 4 }),
});
