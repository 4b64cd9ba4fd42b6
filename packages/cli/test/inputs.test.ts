import { fileURLToPath } from 'node:url';
import { openStore, type Store, startRun } from '@trove/core';
import { rejectionCode, troveProject } from '@trove/test-utils';
import { createContainer } from '@trove/test-utils/azurite';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { createBucket, MOTO_ENV } from '@trove/test-utils/moto';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloudEmulators, useCloudEmulators } from './cloud-emulators.js';

/**
 * Datasets as inputs on the clouds (issue 23): `logInput` and `logArtifactRef` of an `s3://`,
 * `gs://` or `az://` object record its ETag or generation, read through the store's own backend
 * (endpoint and credentials from trove.yaml and the environment); after the object is
 * overwritten, `useArtifact` of it refuses with `CHANGED`, or warns with `allowChanged`.
 */

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

let emulators: CloudEmulators;
useCloudEmulators((started) => {
  emulators = started;
});

interface Cloud {
  name: string;
  scheme: string;
  digest: RegExp;
  env: () => NodeJS.ProcessEnv;
  /** A fresh bucket as a trove.yaml store, and the bucket's name. */
  store(): Promise<{ yaml: string; bucket: string }>;
}

const CLOUDS: Cloud[] = [
  {
    name: 'S3 (moto)',
    scheme: 's3',
    digest: /^etag:"[0-9a-f]{32}"$/,
    env: () => MOTO_ENV,
    async store() {
      const bucket = await createBucket(emulators.moto.url, 'inputs');
      return {
        bucket,
        yaml: `{ type: s3, bucket: ${bucket}, endpoint: "${emulators.moto.url}", forcePathStyle: true, prefix: trove }`,
      };
    },
  },
  {
    name: 'GCS (fake-gcs-server)',
    scheme: 'gs',
    digest: /^generation:\d+$/,
    env: () => ({ STORAGE_EMULATOR_HOST: '' }),
    async store() {
      const bucket = await createGcsBucket(emulators.fake.url, 'inputs');
      return {
        bucket,
        yaml: `{ type: gcs, bucket: ${bucket}, apiEndpoint: "${emulators.fake.url}", projectId: test, prefix: trove }`,
      };
    },
  },
  {
    name: 'Azure (Azurite)',
    scheme: 'az',
    digest: /^etag:"0x[0-9A-F]+"$/,
    env: () => ({ AZURE_STORAGE_CONNECTION_STRING: emulators.azurite.connectionString }),
    async store() {
      const bucket = await createContainer(emulators.azurite.connectionString, 'inputs');
      return { bucket, yaml: `{ type: azure, container: ${bucket}, prefix: trove }` };
    },
  },
];

const saved: NodeJS.ProcessEnv = {};
/** The cloud's credentials for this process (the backends read them from the environment). */
function useEnv(env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(env)) {
    if (!(key in saved)) saved[key] = process.env[key];
    process.env[key] = value;
  }
}
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
    delete saved[key];
  }
});

describe('a dataset input on a cloud records its digest, and useArtifact refuses it once changed', () => {
  for (const cloud of CLOUDS) {
    it(`on ${cloud.name}`, async () => {
      useEnv(cloud.env());
      const { yaml, bucket } = await cloud.store();
      const cwd = troveProject('trove-inputs-', `store: team\nstores:\n  team: ${yaml}\n`);
      let store: Store | undefined;
      try {
        store = await openStore({ cwd, resolveFrom: [CLI_DIR] });
        // The data sits in the same bucket, outside trove's prefix, as a team's data would.
        const first = await store.meta.write('data/train.csv', 'a,b\n1,2\n');
        await store.meta.write('data/labels.csv', 'y\n1\n');
        const uri = `${cloud.scheme}://${bucket}/data/train.csv`;

        const producer = await startRun({ cwd, store, name: 'producer', dvcyaml: false });
        const row = await producer.logInput(uri, {
          name: 'train',
          context: 'training',
          schema: { columns: ['a', 'b'] },
        });
        expect(row).toMatchObject({ name: 'train', kind: 'dataset', path: uri, isInput: true });
        expect(row.summary.digest).toMatch(cloud.digest);
        const kind = cloud.scheme === 'gs' ? 'generation' : 'etag';
        expect(row.summary).toMatchObject({
          digest: `${kind}:${first.etag}`,
          size: 8,
          context: 'training',
          schema: { columns: ['a', 'b'] },
        });
        const ref = await producer.logArtifactRef(`${cloud.scheme}://${bucket}/data/labels.csv`, {
          name: 'labels',
        });
        expect(ref.summary.digest).toMatch(cloud.digest);
        // A missing object is refused before anything is recorded.
        expect(
          await rejectionCode(producer.logInput(`${cloud.scheme}://${bucket}/data/none.csv`)),
        ).toBe('NOT_FOUND');
        await producer.end();
        expect((await store.readLineage(producer.id)).map((r) => r.name)).toEqual([
          'train',
          'labels',
        ]);

        const same = await startRun({ cwd, store, name: 'same', dvcyaml: false });
        const used = await same.useArtifact('train');
        expect(used.reference).toMatchObject({ changed: false, recorded: row.summary.digest });
        expect(used.reference?.current).toBe(row.summary.digest);
        await same.end();

        const second = await store.meta.write('data/train.csv', 'a,b\n1,2\n3,4\n');
        expect(second.etag).not.toBe(first.etag);
        const later = await startRun({ cwd, store, name: 'later', dvcyaml: false });
        expect(await rejectionCode(later.useArtifact('train'))).toBe('CHANGED');
        expect(await rejectionCode(later.useArtifact(uri))).toBe('CHANGED');
        const warnings: string[] = [];
        const onWarning = (w: Error & { code?: string }) => {
          if (w.code === 'TROVE_CHANGED') warnings.push(w.message);
        };
        process.on('warning', onWarning);
        try {
          const allowed = await later.useArtifact('train', { allowChanged: true });
          expect(allowed.reference).toMatchObject({
            changed: true,
            recorded: `${kind}:${first.etag}`,
            current: `${kind}:${second.etag}`,
          });
          await new Promise((r) => setImmediate(r));
        } finally {
          process.off('warning', onWarning);
        }
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(uri);
        await later.end();
        // Only the allowed use was recorded.
        expect(await store.readLineage(later.id)).toEqual([
          expect.objectContaining({
            name: 'train',
            path: uri,
            isInput: true,
            summary: expect.objectContaining({
              digest: `${kind}:${second.etag}`,
              changedSince: `${kind}:${first.etag}`,
            }),
          }),
        ]);
      } finally {
        await store?.close();
      }
    });
  }
});
