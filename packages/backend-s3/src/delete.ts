import { DeleteObjectCommand, DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { mapLimit } from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';

/** DeleteObjects takes at most this many keys. */
const BATCH = 1000;
const BATCH_CONCURRENCY = 4;

/**
 * Deletes keys: one DeleteObject for a single key, DeleteObjects in batches of 1,000 (quiet: only
 * failures are reported) otherwise. S3 deletes of absent keys succeed, as the contract wants.
 */
export async function deleteKeys(
  ctx: S3Context,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  if (keys.length === 0) return;
  if (keys.length === 1) {
    await ctx.client.send(
      new DeleteObjectCommand({ Bucket: ctx.bucket, Key: keys[0] }),
      sendOptions(signal),
    );
    return;
  }
  const unique = [...new Set(keys)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH) batches.push(unique.slice(i, i + BATCH));
  await mapLimit(batches, BATCH_CONCURRENCY, async (batch) => {
    const out = await ctx.client.send(
      new DeleteObjectsCommand({
        Bucket: ctx.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
      sendOptions(signal),
    );
    const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    const first = failed[0];
    if (first) {
      throw Object.assign(
        new Error(
          `${failed.length} keys could not be deleted; first ${first.Key}: ${first.Message}`,
        ),
        {
          name: first.Code ?? 'DeleteError',
          Code: first.Code,
        },
      );
    }
  });
}
