import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStat, WriteOptions } from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';

/**
 * One PutObject of bytes in memory with `Content-MD5`, so S3 verifies what it received, and the
 * write's conditions as `If-None-Match: *` / `If-Match`: through Node's `http` when the backend
 * built its own client (http.ts, with the SDK's CRC32 headers under `checksums: when_supported`),
 * through the SDK otherwise.
 */
export async function putObject(
  ctx: S3Context,
  key: string,
  bytes: Buffer,
  md5: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  const crc32 = ctx.options.checksums === 'when_supported';
  const direct = await ctx.direct?.put(key, bytes, md5, options, crc32);
  if (direct) return { key, size: bytes.length, etag: direct.etag, lastModified: new Date() };
  const out = await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: key,
      Body: bytes,
      ContentLength: bytes.length,
      ContentMD5: md5.toString('base64'),
      ContentType: options.contentType,
      IfNoneMatch: options.ifNoneMatch,
      IfMatch: options.ifMatch,
    }),
    sendOptions(options.signal),
  );
  return { key, size: bytes.length, etag: out.ETag ?? '', lastModified: new Date() };
}
