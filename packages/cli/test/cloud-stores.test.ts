import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzureBackend } from '@trove/backend-azure';
import { GcsBackend } from '@trove/backend-gcs';
import { S3Backend } from '@trove/backend-s3';
import { itRunsTheCliFlow } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { type AzuriteServer, createContainer } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs } from '@trove/test-utils/gcs';
import { createBucket, MOTO_ENV, type MotoServer } from '@trove/test-utils/moto';
import { describe, expect, it } from 'vitest';
import { useCloudEmulators } from './cloud-emulators.js';
import { TROVE_BIN, trove, troveAsync, troveJson } from './helpers.js';

/**
 * @trove/conformance's CLI flow on each cloud store, with trove.yaml naming it (emulators on
 * loopback). The calls live here, not in the backends' tests: the CLI depends on the backends.
 */
let moto: MotoServer;
let fake: FakeGcs;
let azurite: AzuriteServer;

useCloudEmulators((started) => {
  ({ moto, fake, azurite } = started);
});

describe('trove CLI on an S3 store (moto)', () => {
  let bucket = '';
  itRunsTheCliFlow('s3', {
    bin: TROVE_BIN,
    env: () => MOTO_ENV,
    async store() {
      bucket = await createBucket(moto.url, 'cli');
      return `{ type: s3, bucket: ${bucket}, endpoint: "${moto.url}", forcePathStyle: true, prefix: trove }`;
    },
    create: () =>
      new S3Backend({
        bucket,
        endpoint: moto.url,
        clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      }),
    missing: () => ({
      store: `{ type: s3, bucket: no-such-bucket, endpoint: "${moto.url}" }`,
      name: 'no-such-bucket',
    }),
  });

  it('4 processes adding to one run at once (moto): every entry and lineage row is kept', async () => {
    const env = MOTO_ENV;
    const cwd = tempDir('trove-cli-s3-');
    expect(trove(['init'], { cwd, env }).code).toBe(0);
    const own = await createBucket(moto.url, 'cli-writers');
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: team\nstores:\n  team: { type: s3, bucket: ${own}, endpoint: "${moto.url}", forcePathStyle: true, prefix: trove }\n`,
    );
    writeFileSync(join(cwd, 'seed.txt'), 'seed');
    const { run } = troveJson<{ run: string }>(['add', 'seed.txt'], { cwd, env });
    for (let w = 0; w < 4; w++) writeFileSync(join(cwd, `w${w}.txt`), `writer ${w}`);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, w) => troveAsync(['add', `w${w}.txt`, '--run', run], cwd, env)),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const shown = troveJson<{ artifacts: Array<{ path: string }>; lineage: unknown[] }>(
      ['runs', 'show', run],
      { cwd, env },
    );
    expect(shown.artifacts.map((a) => a.path).sort()).toEqual([
      'outputs/seed.txt',
      'outputs/w0.txt',
      'outputs/w1.txt',
      'outputs/w2.txt',
      'outputs/w3.txt',
    ]);
    expect(shown.lineage).toHaveLength(5);
  });
});

describe('trove CLI on a GCS store (fake-gcs-server)', () => {
  let bucket = '';
  // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK: the CLI never gets it.
  itRunsTheCliFlow('gcs', {
    bin: TROVE_BIN,
    env: () => ({ STORAGE_EMULATOR_HOST: '' }),
    async store() {
      bucket = await createGcsBucket(fake.url, 'cli-gcs');
      return `{ type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: test, prefix: trove }`;
    },
    create: () => new GcsBackend({ bucket, apiEndpoint: fake.url, projectId: 'test' }),
    missing: () => ({
      store: `{ type: gcs, bucket: no-such-bucket, apiEndpoint: "${fake.url}", projectId: test }`,
      name: 'no-such-bucket',
    }),
  });
});

describe('trove CLI on an Azure store (Azurite)', () => {
  let container = '';
  // Credentials come from the environment, never from trove.yaml.
  itRunsTheCliFlow('azure', {
    bin: TROVE_BIN,
    env: () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }),
    async store() {
      container = await createContainer(azurite.connectionString, 'cli');
      return `{ type: azure, container: ${container}, prefix: trove }`;
    },
    create: () => new AzureBackend({ container, connectionString: azurite.connectionString }),
    missing: () => ({
      store: '{ type: azure, container: no-such-container }',
      name: 'no-such-container',
    }),
  });

  it('missing credentials are a clear error naming @azure/identity, with a non-zero exit code', () => {
    const bare = tempDir('trove-cli-azure-nocreds-');
    writeFileSync(
      join(bare, 'trove.yaml'),
      'store: team\nstores:\n  team: { type: azure, container: c1c, account: someaccount }\n',
    );
    writeFileSync(join(bare, 'f.txt'), 'f');
    const noCreds = trove(['add', 'f.txt'], {
      cwd: bare,
      env: {
        AZURE_STORAGE_CONNECTION_STRING: '',
        AZURE_STORAGE_SAS_TOKEN: '',
        AZURE_STORAGE_KEY: '',
      },
    });
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.stderr).toContain('@azure/identity');
  });
});
