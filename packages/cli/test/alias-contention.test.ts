import { fileURLToPath } from 'node:url';
import { expectNoLostAliasMoves } from '@trove/conformance';
import { troveProject } from '@trove/test-utils';
import { createContainer } from '@trove/test-utils/azurite';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { describe, expect, it } from 'vitest';
import { type CloudEmulators, useCloudEmulators } from './cloud-emulators.js';

/**
 * Aliases on any artifact lose no move (issue 23): 8 processes × 20 logged artifacts of one name,
 * each log moving the writer's own alias and every other one a shared alias. S3 is not here for
 * the reason the registry's contention test gives: moto's If-Match is not atomic under
 * concurrency.
 */

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const WRITERS = 8;
const EACH = 20;

const project = (trove?: string) => troveProject('trove-alias-contention-', trove);

let emulators: CloudEmulators;

useCloudEmulators((started) => {
  emulators = started;
});

describe('artifact aliases lose no move with 8 processes × 20 moves of one name', () => {
  it('on the local store', async () => {
    const r = await expectNoLostAliasMoves({
      cwd: project(),
      resolveFrom: [CLI_DIR],
      writers: WRITERS,
      each: EACH,
    });
    expect(r.moves).toBe(WRITERS * EACH + WRITERS * (EACH / 2));
  });

  it('on GCS (fake-gcs-server)', async () => {
    const bucket = await createGcsBucket(emulators.fake.url, 'aliases');
    const r = await expectNoLostAliasMoves({
      cwd: project(
        `store: team\nstores:\n  team: { type: gcs, bucket: ${bucket}, apiEndpoint: "${emulators.fake.url}", projectId: test, prefix: trove }\n`,
      ),
      resolveFrom: [CLI_DIR],
      env: { STORAGE_EMULATOR_HOST: '' },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.moves).toBe(WRITERS * EACH + WRITERS * (EACH / 2));
  });

  it('on Azure (Azurite)', async () => {
    const container = await createContainer(emulators.azurite.connectionString, 'aliases');
    const r = await expectNoLostAliasMoves({
      cwd: project(
        `store: team\nstores:\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
      ),
      resolveFrom: [CLI_DIR],
      env: { AZURE_STORAGE_CONNECTION_STRING: emulators.azurite.connectionString },
      writers: WRITERS,
      each: EACH,
    });
    expect(r.moves).toBe(WRITERS * EACH + WRITERS * (EACH / 2));
  });
});
