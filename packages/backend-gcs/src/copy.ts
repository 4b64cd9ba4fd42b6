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
 * ignores preconditions on rewrites, and only that lookup holds there).
 */
export async function copyObject(
  ctx: GcsContext,
  from: string,
  to: string,
  options: CopyOptions,
): Promise<ObjectStat> {
  options.signal?.throwIfAborted();
  if (options.ifNoneMatch === '*' && (await headObject(ctx, to, options.signal)))
    throw preconditionFailed(BACKEND, to);
  const source = ctx.bucket.file(from);
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
      throw mapGcsError(err, { bucket: ctx.bucket.name, key: from });
    throw mapped;
  }
}
