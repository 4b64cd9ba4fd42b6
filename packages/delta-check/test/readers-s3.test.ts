import { S3Backend } from '@trove/backend-s3';
import { fileTempDir } from '@trove/test-utils';
import { createBucket } from '@trove/test-utils/moto';
import { inject, test } from 'vitest';
import { expectReadersAgree } from './reader-scenario.js';
import { motoStorageOptions } from './readers.js';

// One writer only: moto's If-None-Match is not atomic under concurrent writers (emulators.md),
// so contention is tested on the local store; here the point is that real readers read the
// table from the bucket.
test('deltalake, polars and duckdb read the rows written, after removes, a checkpoint and an optimize (S3 on moto, one writer)', async () => {
  const endpoint = inject('s3Endpoint');
  const bucket = await createBucket(endpoint, 'delta');
  const storage = new S3Backend({ bucket, endpoint, resumeDir: fileTempDir('trove-delta-s3-') });
  await expectReadersAgree(
    storage,
    inject('deltaPython'),
    `s3://${bucket}`,
    motoStorageOptions(endpoint),
  );
});
