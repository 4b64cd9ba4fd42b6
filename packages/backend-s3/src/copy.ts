import { createHash } from 'node:crypto';
import { CopyObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import {
  type CopyOptions,
  mapLimit,
  type ObjectStat,
  preconditionFailed,
} from '@trove/core/backend';
import { pinnedCopy } from '@trove/object-store';
import { type S3Context, sendOptions } from './context.js';
import { type HeadResult, headObject } from './head.js';
import { s3ErrorCode } from './map-error.js';
import { putObject } from './put.js';
import { MAX_PART_SIZE, MIB, partSizeFor } from './upload/part-size.js';
import { abortUpload, completeUpload, createUpload } from './upload/requests.js';

/** CopyObject's limit; larger objects are copied part by part (UploadPartCopy). */
const MAX_COPY_OBJECT_SIZE = MAX_PART_SIZE;
const COPY_PART_SIZE = 1024 * MIB;

/**
 * Server-side copy: no bytes pass through this machine. CopyObject up to 5 GiB; beyond that,
 * and whenever `ifNoneMatch` is asked, a multipart copy whose CompleteMultipartUpload carries
 * `If-None-Match: *`, which is atomic on S3 and on servers that ignore it on CopyObject (moto).
 * `sourceBucket` is another bucket of the same endpoint (a sync between two stores), read with
 * this client's credentials.
 */
export async function copyObject(
  ctx: S3Context,
  from: string,
  to: string,
  options: CopyOptions,
  sourceBucket: string = ctx.bucket,
): Promise<ObjectStat> {
  const source = sourceBucket === ctx.bucket ? ctx : { ...ctx, bucket: sourceBucket };
  return pinnedCopy('s3', from, {
    head: () => headObject(source, from, options.signal),
    async copy(found) {
      if (options.ifNoneMatch === '*') {
        if (await headObject(ctx, to, options.signal)) throw preconditionFailed('s3', to);
        if (found.size === 0) {
          const empty = Buffer.alloc(0);
          return await putObject(ctx, to, empty, createHash('md5').update(empty).digest(), {
            ifNoneMatch: '*',
            contentType: found.contentType,
          });
        }
        return await multipartCopy(ctx, sourceBucket, from, to, found, options);
      }
      if (found.size > MAX_COPY_OBJECT_SIZE)
        return await multipartCopy(ctx, sourceBucket, from, to, found, options);
      const out = await ctx.client.send(
        new CopyObjectCommand({
          Bucket: ctx.bucket,
          Key: to,
          CopySource: copySource(sourceBucket, from),
          // The size returned below is the one HeadObject saw: only copy that version.
          CopySourceIfMatch: found.etag,
        }),
        sendOptions(options.signal),
      );
      const etag = out.CopyObjectResult?.ETag ?? '';
      return {
        key: to,
        size: found.size,
        etag,
        lastModified: out.CopyObjectResult?.LastModified ?? new Date(),
        ...md5OfEtag(etag),
      };
    },
    sourceChanged: (err) =>
      options.ifNoneMatch === undefined && s3ErrorCode(err) === 'PreconditionFailed',
  });
}

async function multipartCopy(
  ctx: S3Context,
  sourceBucket: string,
  from: string,
  to: string,
  source: HeadResult,
  options: CopyOptions,
): Promise<ObjectStat> {
  const uploadId = await createUpload(ctx, to, source.contentType, options.signal);
  try {
    const partSize =
      source.size <= MAX_COPY_OBJECT_SIZE ? source.size : partSizeFor(source.size, COPY_PART_SIZE);
    const count = Math.ceil(source.size / partSize);
    const numbers = Array.from({ length: count }, (_, i) => i + 1);
    const parts = await mapLimit(numbers, ctx.options.concurrency, async (n) => {
      const start = (n - 1) * partSize;
      const end = Math.min(source.size, start + partSize) - 1;
      const out = await ctx.client.send(
        new UploadPartCopyCommand({
          Bucket: ctx.bucket,
          Key: to,
          UploadId: uploadId,
          PartNumber: n,
          CopySource: copySource(sourceBucket, from),
          CopySourceIfMatch: source.etag,
          CopySourceRange: count === 1 ? undefined : `bytes=${start}-${end}`,
        }),
        sendOptions(options.signal),
      );
      return {
        PartNumber: n,
        ETag: out.CopyPartResult?.ETag ?? '',
        ChecksumCRC32: out.CopyPartResult?.ChecksumCRC32,
      };
    });
    const { etag } = await completeUpload(
      ctx,
      to,
      uploadId,
      parts,
      { ifNoneMatch: options.ifNoneMatch },
      options.signal,
    );
    // One part copied whole: its ETag is the md5 of the object's bytes as S3 read them.
    const whole = count === 1 ? md5OfEtag(parts[0]?.ETag ?? '') : {};
    return { key: to, size: source.size, etag, lastModified: new Date(), ...whole };
  } catch (err) {
    await abortUpload(ctx, to, uploadId);
    throw err;
  }
}

/** `bucket/key` with the key URL-encoded as CopySource wants it ("/" kept). */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}

/** `{ md5 }` from an ETag that is a plain md5 (a single-part object's), else nothing. */
function md5OfEtag(etag: string): { md5?: string } {
  const hex = etag.replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? { md5: hex } : {};
}
