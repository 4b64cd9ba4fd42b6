import { isTroveError, type ObjectStat } from '@trove/core/backend';
import type { GcsContext, ObjectResource } from './context.js';
import { gcsFetch, httpError, objectUrl, withRetries } from './http.js';
import { httpStatus } from './map-error.js';
import { toStat } from './stat.js';

/** The object's stat, or undefined when there is no object at `key`. */
export async function headObject(
  ctx: GcsContext,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectStat | undefined> {
  const resource = await objectResource(ctx, key, signal);
  return resource && toStat(key, resource);
}

/**
 * The object's metadata, or undefined when absent: one JSON API request of our own, its answer
 * read whole inside the retry. The SDK's `getMetadata` (teeny-request with retry-request) can
 * drop its callback when a connection is reset after the answer's head; the process then ends
 * with nothing pending (exit 13 under the fault proxy).
 */
export async function objectResource(
  ctx: GcsContext,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectResource | undefined> {
  signal?.throwIfAborted();
  const url = objectUrl(ctx, key);
  return withRetries(
    ctx.options.maxAttempts,
    async () => {
      const answer = await gcsFetch(ctx, url, signal ? { signal } : {});
      if (answer.status === 404) {
        await answer.body?.cancel();
        return undefined;
      }
      if (!answer.ok) throw await httpError(answer, `looking up ${key}`);
      return (await answer.json()) as ObjectResource;
    },
    signal,
  );
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
