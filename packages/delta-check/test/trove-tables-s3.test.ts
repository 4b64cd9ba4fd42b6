import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { createBucket } from '@trove/test-utils/moto';
import { beforeAll, inject, test } from 'vitest';
import { motoStorageOptions } from './readers.js';
import { expectTablesMatchRecords } from './trove-scenario.js';

// The store's backend package is resolved from this package (a devDependency).
const HERE = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  process.env.TROVE_CACHE_DIR = tempDir('trove-tables-cache-');
});

// One writer: the point is that real readers read the tables from the bucket (moto's
// conditional writes are not atomic with several writers; contention is tables-contention's).
test("deltalake, polars and duckdb read trove's five tables as its records and registry say, before and after index --rebuild (S3 on moto, under a prefix)", async () => {
  const endpoint = inject('s3Endpoint');
  const bucket = await createBucket(endpoint, 'tables');
  const cwd = tempDir('trove-tables-s3-');
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${endpoint}", prefix: trove }\n`,
  );
  const store = await openStore({ cwd, resolveFrom: [HERE] });
  try {
    await expectTablesMatchRecords(store, cwd, inject('deltaPython'), {
      uri: (table) => `s3://${bucket}/trove/tables/${table}`,
      storageOptions: motoStorageOptions(endpoint),
    });
  } finally {
    await store.close();
  }
});
