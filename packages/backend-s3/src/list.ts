import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectEntry } from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';

/**
 * ListObjectsV2 page by page (1,000 keys each). S3 lists in UTF-8 byte order, which is the
 * order the contract asks for, and `StartAfter` is exclusive, as `startAfter` is.
 */
export async function* listObjects(
  ctx: S3Context,
  prefix: string,
  startAfter: string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<ObjectEntry> {
  let token: string | undefined;
  do {
    const out = await ctx.client.send(
      new ListObjectsV2Command({
        Bucket: ctx.bucket,
        Prefix: prefix === '' ? undefined : prefix,
        StartAfter: token === undefined ? startAfter : undefined,
        ContinuationToken: token,
      }),
      sendOptions(signal),
    );
    for (const o of out.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield {
        key: o.Key,
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        lastModified: o.LastModified ?? new Date(0),
      };
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token !== undefined);
}
