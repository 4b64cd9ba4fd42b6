import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectTablesUnderContention } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { createBucket, motoChildEnv } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The tables under many writers (issue 19): 4 processes ending 8 runs each while 2 processes run
 * `indexTables` in a loop, on every store. The bench (bench/tables-contention.mjs) runs the
 * issue's 16 × 100 on MinIO and the others.
 */

// The workers resolve @trove/backend-<type> from here (devDependencies of this package).
const HERE = fileURLToPath(new URL('..', import.meta.url));
const WRITERS = 4;
const EACH = 8;

function project(trove?: string): string {
  const cwd = tempDir('trove-tables-contention-');
  mkdirSync(join(cwd, '.trove'));
  if (trove) writeFileSync(join(cwd, 'trove.yaml'), trove);
  return cwd;
}

let fake: FakeGcs;
let azurite: AzuriteServer;

beforeAll(async () => {
  [fake, azurite] = await Promise.all([startFakeGcs(), startAzurite()]);
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
});

describe('4 processes × 8 runs while 2 indexers run: one row per run, every metric value, no marker left', () => {
  it('on the local store', async () => {
    const r = await expectTablesUnderContention({
      cwd: project(),
      resolveFrom: [HERE],
      writers: WRITERS,
      each: EACH,
    });
    expect(r.runs).toBe(WRITERS * EACH + 1);
  });

  it('on S3 (moto)', async () => {
    const endpoint = inject('s3Endpoint');
    const bucket = await createBucket(endpoint, 'tables');
    const r = await expectTablesUnderContention({
      cwd: project(
        `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${endpoint}", prefix: trove }\n`,
      ),
      resolveFrom: [HERE],
      env: motoChildEnv(),
      writers: WRITERS,
      each: EACH,
    });
    expect(r.runs).toBe(WRITERS * EACH + 1);
  });

  it('on GCS (fake-gcs-server)', async () => {
    const bucket = await createGcsBucket(fake.url, 'tables');
    const r = await expectTablesUnderContention({
      cwd: project(
        `store: team\nstores:\n  team: { type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: test, prefix: trove }\n`,
      ),
      resolveFrom: [HERE],
      // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK.
      env: { STORAGE_EMULATOR_HOST: '' },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.runs).toBe(WRITERS * EACH + 1);
  });

  it('on Azure (Azurite)', async () => {
    const container = await createContainer(azurite.connectionString, 'tables');
    const r = await expectTablesUnderContention({
      cwd: project(
        `store: team\nstores:\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
      ),
      resolveFrom: [HERE],
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.runs).toBe(WRITERS * EACH + 1);
  });
});
