import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { fileTempDir } from '@trove/test-utils';
import { S3Backend, type S3BackendOptions } from '../src/index.js';

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

/** A backend on moto; resume state goes to one temp folder per test file unless `extra` says. */
export function newBackend(
  endpoint: string,
  bucket: string,
  extra: Partial<S3BackendOptions> = {},
): S3Backend {
  const sharedResumeDir = fileTempDir('trove-s3-resume-');
  return new S3Backend({ bucket, endpoint, resumeDir: sharedResumeDir, ...extra });
}

/** Multipart uploads still open in a bucket. */
export async function openUploads(client: S3Client, bucket: string): Promise<string[]> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => `${u.Key}:${u.UploadId}`);
}
