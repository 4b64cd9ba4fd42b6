import { fileURLToPath } from 'node:url';
import { expectNoLostRegistrations } from '@trove/conformance';
import { troveProject } from '@trove/test-utils';
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The registry's "no lost update" (issue 12): 8 processes × 50 registrations of one model, each
 * followed by an alias move, on every backend whose emulator has atomic conditional writes.
 * S3 is not here: moto's conditional writes are not atomic under concurrency, so S3 is checked
 * on MinIO by bench/registry-minio.mjs, outside the test line.
 */

// The workers resolve @trove/backend-<type> from here: the CLI package depends on them all.
const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const WRITERS = 8;
const EACH = 50;

const project = (trove?: string) => troveProject('trove-registry-contention-', trove);

let fake: FakeGcs;
let azurite: AzuriteServer;

beforeAll(async () => {
  [fake, azurite] = await Promise.all([startFakeGcs(), startAzurite()]);
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
});

describe('the registry loses no registration and no alias move with 8 processes × 50', () => {
  it('on the local store', async () => {
    const r = await expectNoLostRegistrations({
      cwd: project(),
      resolveFrom: [CLI_DIR],
      writers: WRITERS,
      each: EACH,
    });
    expect(r.versions).toBe(WRITERS * EACH);
  });

  it('on GCS (fake-gcs-server)', async () => {
    const bucket = await createGcsBucket(fake.url, 'registry');
    const r = await expectNoLostRegistrations({
      cwd: project(
        `store: team\nstores:\n  team: { type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: test, prefix: trove }\n`,
      ),
      resolveFrom: [CLI_DIR],
      // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK.
      env: { STORAGE_EMULATOR_HOST: '' },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.versions).toBe(WRITERS * EACH);
  });

  it('on Azure (Azurite)', async () => {
    const container = await createContainer(azurite.connectionString, 'registry');
    const r = await expectNoLostRegistrations({
      cwd: project(
        `store: team\nstores:\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
      ),
      resolveFrom: [CLI_DIR],
      // Credentials come from the environment, never from trove.yaml.
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.versions).toBe(WRITERS * EACH);
  });
});
