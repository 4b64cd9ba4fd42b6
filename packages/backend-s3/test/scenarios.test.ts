import { fileURLToPath } from 'node:url';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { describeResumeAfterKill, droppingServer, itDvcPulls, storedMd5 } from '@trove/conformance';
import { createBucket, motoChildEnv, startMoto } from '@trove/test-utils/moto';
import { describe, inject } from 'vitest';
import { S3Backend } from '../src/index.js';
import { MIB, newBackend, openUploads, testClient } from './helpers.js';

/** @trove/conformance's shared scenarios on S3 (moto on loopback). */
const endpoint = inject('s3Endpoint');
const PART = 5 * MIB;
/** One part at a time, so a kill or a dropped connection lands with the upload clearly unfinished. */
const ONE_BY_ONE = { partSize: PART, concurrency: 1 };

describeResumeAfterKill('s3 (moto)', {
  size: 40 * PART,
  pieceSize: PART,
  lostConnection: true,
  async setup() {
    const bucket = await createBucket(endpoint, 'resume');
    const client = testClient(endpoint);
    /** The (single) open upload of `key`. */
    const uploadOf = async (key: string) =>
      (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key })))
        .Uploads?.[0]?.UploadId;
    return {
      job: {
        module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
        className: 'S3Backend',
        event: 'onPart',
        options: { bucket, endpoint, ...ONE_BY_ONE },
      },
      env: motoChildEnv(),
      stored: (key) => storedMd5(newBackend(endpoint, bucket), key),
      create: (resumeDir) => newBackend(endpoint, bucket, { resumeDir }),
      async held(key) {
        const UploadId = await uploadOf(key);
        if (!UploadId) return new Set<number>();
        const out = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
        return new Set((out.Parts ?? []).map((p) => p.PartNumber as number));
      },
      leftovers: async (key) =>
        (await openUploads(client, bucket)).filter((u) => u.startsWith(`${key}:`)),
      dropping: (resumeDir) =>
        droppingServer(startMoto, async (moto, drop) => {
          const own = await createBucket(moto.url, 'dropped');
          return new S3Backend({
            ...ONE_BY_ONE,
            bucket: own,
            endpoint: moto.url,
            maxAttempts: 2,
            resumeDir,
            onPart: (p) => {
              if (p.partNumber === 3) drop();
            },
          });
        }),
      teardown: async () => client.destroy(),
    };
  },
});

describe('dvc-s3 reads what trove stored on S3', () => {
  itDvcPulls('s3 (moto)', {
    dvc: () => inject('s3Dvc'),
    env: () => motoChildEnv(),
    modelSize: 12 * MIB,
    async create() {
      const bucket = await createBucket(endpoint, 'dvc');
      return {
        backend: newBackend(endpoint, bucket),
        remote: `s3://${bucket}`,
        configure: [['remote', 'modify', 'trove', 'endpointurl', endpoint]],
      };
    },
  });
});
