import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Backend } from '@trove/backend-s3';
import { tempDir } from '@trove/test-utils';
import { createBucket, MOTO_ENV } from '@trove/test-utils/moto';
import { expect } from 'vitest';
import { s3View } from './audit.js';
import { trove } from './helpers.js';

const MIB = 1024 * 1024;

/**
 * A project whose store is a fresh bucket on moto, under `prefix: trove`, 5 MiB parts; `extra`
 * adds store options (`concurrency: 1`). Returns a backend on the bucket (keys with the prefix)
 * and a view of the store (keys without it).
 */
export async function s3Project(motoUrl: string, label: string, extra = '') {
  const bucket = await createBucket(motoUrl, label);
  const cwd = tempDir(`trove-${label}-`);
  const resumeDir = tempDir(`trove-${label}-resume-`);
  expect(trove(['init'], { cwd, env: MOTO_ENV }).code).toBe(0);
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${motoUrl}", prefix: trove, partSize: ${5 * MIB}, resumeDir: "${resumeDir}"${extra} }\n`,
  );
  const backend = new S3Backend({
    bucket,
    endpoint: motoUrl,
    clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  return { bucket, cwd, resumeDir, backend, view: s3View(motoUrl, bucket, 'trove') };
}
