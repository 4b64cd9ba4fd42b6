import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStat, WriteOptions } from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';

/**
 * One PutObject of bytes in memory with `Content-MD5`, so S3 verifies what it received, and the
 * write's conditions as `If-None-Match: *` / `If-Match`: through Node's `http` when the backend
 * built its own client (http.ts) and the SDK adds no checksum (`checksums: when_required`, the
 * default with an `endpoint`); through the SDK otherwise, so `when_supported` keeps its CRC32.
 */
export async function putObject(
  ctx: S3Context,
  key: string,
  bytes: Buffer,
  md5: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  const direct =
    ctx.options.checksums === 'when_required'
      ? await ctx.direct?.put(key, bytes, md5, options)
      : undefined;
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
