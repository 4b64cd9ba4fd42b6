import type { ObjectStat } from '@trove/core/backend';
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
