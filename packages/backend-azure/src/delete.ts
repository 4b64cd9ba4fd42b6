import { mapLimit } from '@trove/core/backend';
import type { AzureContext } from './context.js';

/** A blob batch takes at most this many sub-requests. */
const BATCH = 256;
const BATCH_CONCURRENCY = 4;
const SINGLE_CONCURRENCY = 16;

/**
 * Deletes keys (with their snapshots): one Delete Blob for a single key, Blob Batch requests of
 * up to 256 otherwise. A missing blob fails only its own sub-request (404), which counts as done,
 * as the contract wants. A client that authenticates with a SAS only deletes one by one.
 */
export async function deleteKeys(
  ctx: AzureContext,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const unique = [...new Set(keys)];
  const container = ctx.conn.container;
  if (unique.length === 0) return;
  if (unique.length === 1 || (!ctx.conn.sharedKey && !ctx.conn.token)) {
    await mapLimit(unique, SINGLE_CONCURRENCY, (key) =>
      container
        .getBlobClient(key)
        .deleteIfExists({ abortSignal: signal, deleteSnapshots: 'include' }),
    );
    return;
  }
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH) batches.push(unique.slice(i, i + BATCH));
  const batchClient = container.getBlobBatchClient();
  await mapLimit(batches, BATCH_CONCURRENCY, async (batch) => {
    const out = await batchClient.deleteBlobs(
      batch.map((key) => container.getBlobClient(key)),
      { abortSignal: signal, deleteSnapshots: 'include' },
    );
    const failed = out.subResponses.filter((r) => r.status >= 300 && r.status !== 404);
    const first = failed[0];
    if (first) {
      const key = batch[out.subResponses.indexOf(first)];
      throw Object.assign(
        new Error(
          `${failed.length} of ${batch.length} blobs could not be deleted; first ${key}: ${first.statusMessage}`,
        ),
        {
          name: 'RestError',
          statusCode: first.status,
          code: first.errorCode,
          details: { errorCode: first.errorCode },
        },
      );
    }
  });
}
