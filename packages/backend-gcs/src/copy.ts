import { type CopyOptions, type ObjectStat, preconditionFailed } from '@trove/core/backend';
import type { GcsContext, ObjectResource } from './context.js';
import { headObject } from './head.js';
import { BACKEND, mapGcsError } from './map-error.js';
import { toStat } from './stat.js';

/**
 * A server-side copy (objects.rewrite; the SDK repeats it with the rewrite token until a large
 * object is done, so no byte passes through this process). `ifNoneMatch: "*"` is
 * `ifGenerationMatch: 0` on the destination, which GCS checks atomically; it is also checked
 * first with a lookup, so that a copy bound to fail costs no rewrite (fake-gcs-server 1.56.1
 * ignores preconditions on rewrites, and only that lookup holds there). `sourceBucket` is
 * another bucket of the same endpoint (a sync between two stores), read with this client.
 */
export async function copyObject(
  ctx: GcsContext,
  from: string,
  to: string,
  options: CopyOptions,
  sourceBucket: string = ctx.bucket.name,
): Promise<ObjectStat> {
  options.signal?.throwIfAborted();
  if (options.ifNoneMatch === '*' && (await headObject(ctx, to, options.signal)))
    throw preconditionFailed(BACKEND, to);
  const bucket = sourceBucket === ctx.bucket.name ? ctx.bucket : ctx.storage.bucket(sourceBucket);
  const source = bucket.file(from);
  try {
    const [copied] = await source.copy(ctx.bucket.file(to), {
      ...(options.ifNoneMatch === '*' ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
    });
    let resource = copied.metadata as ObjectResource;
    if (resource.generation === undefined) {
      const [fresh] = await copied.getMetadata();
      resource = fresh as ObjectResource;
    }
    return toStat(to, resource);
  } catch (err) {
    const mapped = mapGcsError(err, { bucket: ctx.bucket.name, key: to });
    // A 404 names the source (the destination need not exist).
    if (mapped.code === 'NOT_FOUND' && !mapped.message.includes('bucket'))
      throw mapGcsError(err, { bucket: sourceBucket, key: from });
    throw mapped;
  }
}
