import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { createBucket, MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
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

/** A cloud store reached through a fault proxy: how to make it and what its processes need. */
export interface ProxiedCloud {
  name: string;
  /** Which requests may be faulted (default all), where the emulator cannot take a fault. */
  faultable?: (request: { method: string; url: string }) => boolean;
  /** The emulator the proxy forwards to. */
  upstream(): string;
  /** The environment of the processes that use the store (credentials, endpoints). */
  env(proxyUrl: string): NodeJS.ProcessEnv;
  /** A fresh bucket or container, as a `trove.yaml` store (flow style) whose endpoint is the proxy. */
  store(proxyUrl: string): Promise<string>;
}

/** The three cloud stores on the emulators `emulators()` gives, each through a fault proxy. */
export function proxiedClouds(emulators: () => CloudEmulators): ProxiedCloud[] {
  return [
    {
      name: 's3 (moto)',
      upstream: () => emulators().moto.url,
      env: () => MOTO_ENV,
      store: async (proxy) =>
        `{ type: s3, bucket: ${await createBucket(emulators().moto.url, 'faults')}, endpoint: "${proxy}", forcePathStyle: true, prefix: trove }`,
    },
    {
      // After a lost chunk trove asks the session where it stands; fake-gcs-server finalises the
      // session on that question (emulators.md, gap 1; it also appends a chunk sent again instead
      // of taking it at its offset), which real GCS does not. The upload then starts over once,
      // and a second fault fails it, so session chunks are left unfaulted; one-request uploads,
      // lookups, listings and reads are faulted.
      name: 'gcs (fake-gcs-server; resumable-session chunks not faulted: its status query finalises a session)',
      faultable: ({ url }) => !url.includes('upload_id='),
      upstream: () => emulators().fake.url,
      env: () => ({}),
      store: async (proxy) =>
        `{ type: gcs, bucket: ${await createGcsBucket(emulators().fake.url, 'faults')}, apiEndpoint: "${proxy}", projectId: test, prefix: trove }`,
    },
    {
      name: 'azure (Azurite)',
      upstream: () => new URL(emulators().azurite.url).origin,
      env: (proxy) => ({
        AZURE_STORAGE_CONNECTION_STRING: emulators().azurite.connectionString.replace(
          new URL(emulators().azurite.url).origin,
          proxy,
        ),
      }),
      store: async () =>
        `{ type: azure, container: ${await createContainer(emulators().azurite.connectionString, 'faults')}, prefix: trove }`,
    },
  ];
}
