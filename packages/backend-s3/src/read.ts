import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type ReadOptions, type ReadResult, TroveError } from '@trove/core/backend';
import { headerOf, isEmptyRange, rangeHeader, sizeFromAnswer } from '@trove/object-store';
import { type S3Context, sendOptions } from './context.js';
import { headObject } from './head.js';
import type { DirectAnswer } from './http.js';
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
  const answer = await ctx.direct?.get(key, options);
  if (answer) return directResult(ctx, key, range, answer, options.signal);
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

/** A read from an answer of the direct path: the stat from its headers, the body as it comes. */
function directResult(
  ctx: S3Context,
  key: string,
  range: ReadOptions['range'],
  answer: DirectAnswer,
  signal?: AbortSignal,
): Promise<ReadResult> | ReadResult {
  if (answer.statusCode === 416) {
    answer.resume();
    return emptyRead(ctx, key, signal);
  }
  const length = headerOf(answer, 'content-length');
  const modified = headerOf(answer, 'last-modified');
  return {
    stat: {
      key,
      size: sizeFromAnswer(
        range,
        headerOf(answer, 'content-range'),
        length === undefined ? undefined : Number(length),
      ),
      etag: headerOf(answer, 'etag') ?? '',
      lastModified: modified ? new Date(modified) : new Date(0),
    },
    body: answer,
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
