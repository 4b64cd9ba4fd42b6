import { HeadBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStat } from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';
import { httpStatus, mapS3Error, s3ErrorCode } from './map-error.js';

export interface HeadResult extends ObjectStat {
  contentType: string | undefined;
}

/** Buckets seen to exist, per client: HEAD errors have no body, so a 404 cannot say which is missing. */
const knownBuckets = new WeakMap<object, Set<string>>();

/**
 * The object's stat, or undefined when it is absent. A 404 is checked once per bucket with
 * HeadBucket, so a missing bucket is reported as such instead of as a missing object.
 */
export async function headObject(
  ctx: S3Context,
  key: string,
  signal?: AbortSignal,
): Promise<HeadResult | undefined> {
  try {
    const out = await ctx.client.send(
      new HeadObjectCommand({ Bucket: ctx.bucket, Key: key }),
      sendOptions(signal),
    );
    rememberBucket(ctx);
    return {
      key,
      size: out.ContentLength ?? 0,
      etag: out.ETag ?? '',
      lastModified: out.LastModified ?? new Date(0),
      contentType: out.ContentType,
    };
  } catch (err) {
    if (httpStatus(err) !== 404 && s3ErrorCode(err) !== 'NotFound') throw err;
    await assertBucket(ctx, signal);
    return undefined;
  }
}

/** Throws NOT_FOUND naming the bucket when it does not exist (checked once per bucket). */
async function assertBucket(ctx: S3Context, signal?: AbortSignal): Promise<void> {
  if (knownBuckets.get(ctx.client)?.has(ctx.bucket)) return;
  try {
    await ctx.client.send(new HeadBucketCommand({ Bucket: ctx.bucket }), sendOptions(signal));
  } catch (err) {
    if (httpStatus(err) === 404) {
      throw mapS3Error(Object.assign(err as object, { Code: 'NoSuchBucket' }), {
        bucket: ctx.bucket,
      });
    }
    // Credentials may allow objects but not HeadBucket: the object's 404 stands.
    return;
  }
  rememberBucket(ctx);
}

function rememberBucket(ctx: S3Context): void {
  let set = knownBuckets.get(ctx.client);
  if (!set) {
    set = new Set();
    knownBuckets.set(ctx.client, set);
  }
  set.add(ctx.bucket);
}
