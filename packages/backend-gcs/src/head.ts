import { isTroveError, type ObjectStat } from '@trove/core/backend';
import type { GcsContext, ObjectResource } from './context.js';
import { httpStatus } from './map-error.js';
import { toStat } from './stat.js';

/** The object's stat, or undefined when there is no object at `key`. */
export async function headObject(
  ctx: GcsContext,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectStat | undefined> {
  signal?.throwIfAborted();
  try {
    const [metadata] = await ctx.bucket.file(key).getMetadata();
    return toStat(key, metadata as ObjectResource);
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/** `headObject`, and when the object is absent, a check (once) that the bucket is there. */
export async function lookupObject(
  ctx: GcsContext,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectStat | undefined> {
  const stat = await headObject(ctx, key, signal);
  if (stat) ctx.seen.bucket = true;
  else await checkBucket(ctx);
  return stat;
}

/** Rethrows `err`; a 404 from an object request first checks the bucket, to name it if missing. */
export async function explain404(
  ctx: GcsContext,
  err: unknown,
  signal?: AbortSignal,
): Promise<never> {
  const missing = isTroveError(err) ? err.code === 'NOT_FOUND' : httpStatus(err) === 404;
  if (missing) {
    signal?.throwIfAborted();
    await checkBucket(ctx);
  }
  throw err;
}

/**
 * GCS says "bucket does not exist" in its 404s, but emulators answer a plain "Not Found": the
 * first 404 of a backend checks the bucket once.
 */
async function checkBucket(ctx: GcsContext): Promise<void> {
  if (ctx.seen.bucket) return;
  const [exists] = await ctx.bucket.exists();
  if (!exists) throw Object.assign(new Error('bucket does not exist'), { code: 404 });
  ctx.seen.bucket = true;
}
