import { describeResumeAfterKill, droppingServer, itDvcPulls, storedMd5 } from '@trove/conformance';
import { createContainer, startAzurite } from '@trove/test-utils/azurite';
import { describe, expect, inject } from 'vitest';
import { AzureBackend } from '../src/index.js';
import { MIB, newBackend, testContainer, uncommitted, uploadJob } from './helpers.js';

/** @trove/conformance's shared scenarios on Azure (Azurite on loopback). */
const connectionString = inject('azureConnectionString');
const BLOCK = 2 * MIB;
/** One block at a time, so a kill or a dropped connection lands with the upload clearly unfinished. */
const ONE_BY_ONE = { blockSize: BLOCK, concurrency: 1 };

describeResumeAfterKill('azure (Azurite)', {
  size: 32 * BLOCK,
  pieceSize: BLOCK,
  lostConnection: true,
  async setup() {
    const container = await createContainer(connectionString, 'resume');
    const client = testContainer(connectionString, container);
    const backend = (extra = {}) => newBackend(connectionString, container, extra);
    return {
      job: uploadJob(connectionString, container, ONE_BY_ONE),
      async stored(key) {
        const md5 = await storedMd5(backend(), key);
        // The whole body's md5 is the blob's Content-MD5 too.
        if (md5 !== undefined) {
          const props = await client.getBlobClient(key).getProperties();
          expect(Buffer.from(props.contentMD5 ?? []).toString('hex')).toBe(md5);
        }
        return md5;
      },
      create: (resumeDir) => backend({ resumeDir }),
      /** Block indexes staged for `key`; every id is `base64("<upload id>-<6 digits>")`. */
      async held(key) {
        const ids = await uncommitted(client, key);
        return new Set(
          ids.map((id) => {
            const text = Buffer.from(id, 'base64').toString();
            expect(text).toMatch(/^[0-9a-f]+-\d{6}$/);
            return Number(text.slice(-6));
          }),
        );
      },
      leftovers: (key) => uncommitted(client, key),
      dropping: (resumeDir) =>
        droppingServer(startAzurite, async (azurite, drop) => {
          const own = await createContainer(azurite.connectionString, 'dropped');
          return new AzureBackend({
            ...ONE_BY_ONE,
            container: own,
            connectionString: azurite.connectionString,
            maxAttempts: 1,
            resumeDir,
            onBlock: (b) => {
              if (b.index === 2) drop();
            },
          });
        }),
    };
  },
});

describe('dvc-azure reads what trove stored on Azure', () => {
  itDvcPulls('azure (Azurite, connection_string --local)', {
    dvc: () => inject('azureDvc'),
    // No credentials but the ones the remote's local config gives.
    env: () =>
      Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AZURE_'))),
    // 12 MiB with 4 MiB blocks: a block upload, next to single-request small files.
    modelSize: 12 * MIB,
    secret: 'AccountKey',
    async create() {
      const container = await createContainer(connectionString, 'dvc');
      return {
        backend: newBackend(connectionString, container, { blockSize: 4 * MIB }),
        remote: `azure://${container}`,
        configure: [
          ['remote', 'modify', '--local', 'trove', 'connection_string', connectionString],
        ],
      };
    },
  });
});
