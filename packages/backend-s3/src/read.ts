import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  type ObjectStat,
  type ReadOptions,
  type ReadResult,
  TroveError,
} from '@trove/core/backend';
import { headerOf, isEmptyRange, rangeHeader, sizeFromAnswer } from '@trove/object-store';
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
    stat: statOf(key, range, out.ContentRange, out.ContentLength, out.ETag, out.LastModified),
    body: out.Body as Readable,
  };
}

/** The whole object's stat from a GetObject answer's headers, by either path. */
function statOf(
  key: string,
  range: ReadOptions['range'],
  contentRange: string | undefined,
  contentLength: number | undefined,
  etag: string | undefined,
  lastModified: Date | undefined,
): ObjectStat {
  return {
    key,
    size: sizeFromAnswer(range, contentRange, contentLength),
    etag: etag ?? '',
    lastModified: lastModified ?? new Date(0),
  };
}

/** A read from an answer of the direct path: the stat from its headers, the body as it comes. */
function directResult(
  ctx: S3Context,
  key: string,
  range: ReadOptions['range'],
  answer: IncomingMessage,
  signal?: AbortSignal,
): Promise<ReadResult> | ReadResult {
  if (answer.statusCode === 416) {
    answer.resume();
    return emptyRead(ctx, key, signal);
  }
  const length = headerOf(answer, 'content-length');
  const modified = headerOf(answer, 'last-modified');
  return {
    stat: statOf(
      key,
      range,
      headerOf(answer, 'content-range'),
      length === undefined ? undefined : Number(length),
      headerOf(answer, 'etag'),
      modified ? new Date(modified) : undefined,
    ),
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
