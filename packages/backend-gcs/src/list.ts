import type { ObjectEntry } from '@trove/core/backend';
import type { GcsContext, ObjectResource } from './context.js';
import { toStat } from './stat.js';

/** GCS's page limit; the emulators return everything in one page unless a size is asked for. */
const PAGE_SIZE = 1000;

/**
 * Every object under `prefix`, in key order, one page of at most 1,000 at a time. `startAfter`
 * becomes GCS's `startOffset` (inclusive), and the key equal to it is dropped.
 */
export async function* listObjects(
  ctx: GcsContext,
  prefix: string,
  startAfter: string | undefined,
  signal: AbortSignal | undefined,
  pageSize = PAGE_SIZE,
): AsyncGenerator<ObjectEntry> {
  let pageToken: string | undefined;
  do {
    signal?.throwIfAborted();
    const [files, next] = await ctx.bucket.getFiles({
      autoPaginate: false,
      maxResults: pageSize,
      ...(prefix ? { prefix } : {}),
      ...(startAfter !== undefined ? { startOffset: startAfter } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    for (const file of files) {
      if (startAfter !== undefined && file.name <= startAfter) continue;
      yield toStat(file.name, file.metadata as ObjectResource);
    }
    pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
  } while (pageToken);
}
