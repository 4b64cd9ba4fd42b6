import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type ReadOptions, type ReadResult, TroveError } from '@trove/core/backend';
import { isEmptyRange, rangeHeader, sizeFromAnswer } from '@trove/object-store';
import { type S3Context, sendOptions } from './context.js';
import { headObject } from './head.js';
import { s3ErrorCode } from './map-error.js';

/**
 * GetObject, with trove's range semantics: `end` is exclusive, and a range that starts at or
 * past the end (or is empty) reads nothing. S3 answers those with 416, so they are served from a
 * HeadObject instead: the stat still describes the whole object.
 */
export async function readObject(
  ctx: S3Context,
  key: string,
  options: ReadOptions,
): Promise<ReadResult> {
  const range = options.range;
  if (isEmptyRange(range)) return emptyRead(ctx, key, options.signal);
  let out: Awaited<ReturnType<typeof send>>;
  try {
    out = await send(ctx, key, range, options.signal);
  } catch (err) {
    if (range && s3ErrorCode(err) === 'InvalidRange') return emptyRead(ctx, key, options.signal);
    throw err;
  }
  return {
    stat: {
      key,
      size: sizeFromAnswer(range, out.ContentRange, out.ContentLength),
      etag: out.ETag ?? '',
      lastModified: out.LastModified ?? new Date(0),
    },
    body: out.Body as Readable,
  };
}

function send(ctx: S3Context, key: string, range: ReadOptions['range'], signal?: AbortSignal) {
  return ctx.client.send(
    new GetObjectCommand({ Bucket: ctx.bucket, Key: key, Range: range && rangeHeader(range) }),
    sendOptions(signal),
  );
}

async function emptyRead(ctx: S3Context, key: string, signal?: AbortSignal): Promise<ReadResult> {
  const stat = await headObject(ctx, key, signal);
  if (!stat) throw new TroveError('NOT_FOUND', `No object at ${key}.`, { backend: 's3', key });
  return { stat, body: Readable.from([]) };
}
