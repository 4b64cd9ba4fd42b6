import { mapLimit } from '@trove/core/backend';
import type { GcsContext } from './context.js';
import { httpStatus } from './map-error.js';

/**
 * Deletes objects, `concurrency` at a time (the JSON API has no batch delete the Node SDK
 * offers). An absent object is not an error.
 */
export async function deleteKeys(
  ctx: GcsContext,
  keys: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  await mapLimit([...new Set(keys)], ctx.options.concurrency, async (key) => {
    signal?.throwIfAborted();
    try {
      await ctx.bucket.file(key).delete();
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  });
}
