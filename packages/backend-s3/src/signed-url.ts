import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SignedUrlOptions } from '@trove/core/backend';

/** A presigned GET or PUT URL (SigV4 query signing: no request is made). */
export async function signUrl(
  client: S3Client,
  bucket: string,
  key: string,
  options: SignedUrlOptions,
): Promise<URL> {
  const input = { Bucket: bucket, Key: key };
  const command =
    options.method === 'PUT' ? new PutObjectCommand(input) : new GetObjectCommand(input);
  return new URL(await getSignedUrl(client, command, { expiresIn: options.expiresIn }));
}
