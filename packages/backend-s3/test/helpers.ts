import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Backend, type S3BackendOptions } from '../src/index.js';

/** Test credentials; moto accepts any unless IAM auth is turned on. */
export const TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export const MIB = 1024 * 1024;

/** A client for test set-up and assertions, independent of the backend under test. */
export function testClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** Creates a bucket with a unique name and returns the name. */
export async function createBucket(endpoint: string, label: string): Promise<string> {
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  const client = testClient(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

let sharedResumeDir: string | undefined;

/** A backend on moto; resume state goes to one temp folder per test file unless `extra` says. */
export function newBackend(
  endpoint: string,
  bucket: string,
  extra: Partial<S3BackendOptions> = {},
): S3Backend {
  sharedResumeDir ??= tempDir('trove-s3-resume-');
  return new S3Backend({ bucket, endpoint, resumeDir: sharedResumeDir, ...extra });
}

const made: string[] = [];

/** A fresh temp folder, removed by `removeTempDirs()` (call it in `afterAll`). */
export function tempDir(prefix = 'trove-s3-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  sharedResumeDir = undefined;
}

/** Multipart uploads still open in a bucket. */
export async function openUploads(client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => `${u.Key}:${u.UploadId}`);
}

/** The environment for child processes (node, aws, dvc): test credentials, no proxy CA bundle. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_ENV, ...extra };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}
