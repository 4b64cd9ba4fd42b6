import { fileURLToPath } from 'node:url';
import { expectTablesUnderContention } from '@trove/conformance';
import { troveProject } from '@trove/test-utils';
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

const project = (trove?: string) => troveProject('trove-tables-contention-', trove);

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

  // Each remote store: its trove.yaml entry and the workers' environment (credentials).
  const remotes: Array<[string, () => Promise<{ store: string; env: NodeJS.ProcessEnv }>]> = [
    [
      // moto's create-only writes are not atomic with several writers (emulators.md: 2–3
      // winners with 8 MiB bodies). A commit here is a few hundred bytes: in the runs made when
      // this was written none was lost; a lost one fails this test, it is not hidden.
      'on S3 (moto, whose conditional create is not atomic under concurrency)',
      async () => {
        const endpoint = inject('s3Endpoint');
        const bucket = await createBucket(endpoint, 'tables');
        return {
          store: `{ type: s3, bucket: ${bucket}, endpoint: "${endpoint}", prefix: trove }`,
          env: motoChildEnv(),
        };
      },
    ],
    [
      'on GCS (fake-gcs-server)',
      async () => {
        const bucket = await createGcsBucket(fake.url, 'tables');
        return {
          store: `{ type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: test, prefix: trove }`,
          // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK.
          env: { STORAGE_EMULATOR_HOST: '' },
        };
      },
    ],
    [
      'on Azure (Azurite)',
      async () => {
        const container = await createContainer(azurite.connectionString, 'tables');
        return {
          store: `{ type: azure, container: ${container}, prefix: trove }`,
          env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
        };
      },
    ],
  ];
  it.each(remotes)('%s', async (_name, target) => {
    const { store, env } = await target();
    const r = await expectTablesUnderContention({
      cwd: project(`store: team\nstores:\n  team: ${store}\n`),
      resolveFrom: [HERE],
      env,
      writers: WRITERS,
      each: EACH,
    });
    expect(r.runs).toBe(WRITERS * EACH + 1);
  });
});
