import { type AzuriteServer, startAzurite } from '@trove/test-utils/azurite';
import { type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll } from 'vitest';

/** The three cloud emulators a test file uses. */
export interface CloudEmulators {
  moto: MotoServer;
  fake: FakeGcs;
  azurite: AzuriteServer;
}

/**
 * Starts moto, fake-gcs-server and Azurite before the file's tests (handing them to `use`) and
 * stops them after.
 */
export function useCloudEmulators(use: (emulators: CloudEmulators) => void): void {
  let started: Partial<CloudEmulators> = {};
  beforeAll(async () => {
    const [moto, fake, azurite] = await Promise.all([startMoto(), startFakeGcs(), startAzurite()]);
    started = { moto, fake, azurite };
    use({ moto, fake, azurite });
  });
  afterAll(async () => {
    await Promise.all([started.moto?.stop(), started.fake?.stop(), started.azurite?.stop()]);
  });
}
