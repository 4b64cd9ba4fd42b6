import { type CopyOptions, notFound, type ObjectStat } from '@trove/core/backend';
import { pinnedCopy } from '@trove/object-store';
import type { AzureContext } from './context.js';
import { headObject, quoteEtag } from './head.js';
import { azureErrorCode } from './map-error.js';
import { sasUrl } from './sas.js';

const SOURCE_SAS_SECONDS = 60 * 60;

/**
 * Server-side copy: no bytes pass through this machine. The source is given by a short-lived
 * read SAS (Copy From URL needs one on Azure, even within an account), pinned to the etag that
 * was stat'ed so the size returned is the one copied. Up to 256 MiB it is one synchronous Copy
 * Blob From URL; above, an asynchronous Copy Blob polled until done. `ifNoneMatch: "*"` is the
 * destination condition of either, so a create-only copy is atomic (409 BlobAlreadyExists).
 */
export async function copyObject(
  ctx: AzureContext,
  from: string,
  to: string,
  options: CopyOptions,
): Promise<ObjectStat> {
  return pinnedCopy('azure', from, {
    head: () => headObject(ctx, from, options.signal),
    async copy(source) {
      const sourceBlob = ctx.conn.container.getBlobClient(from);
      const target = ctx.conn.container.getBlobClient(to);
      const url = await sasUrl(ctx, sourceBlob, 'r', SOURCE_SAS_SECONDS, true);
      const conditions = { ifNoneMatch: options.ifNoneMatch };
      const sourceConditions = { ifMatch: source.etag };
      if (source.size <= ctx.options.syncCopyLimit) {
        const out = await target.syncCopyFromURL(url, {
          abortSignal: options.signal,
          conditions,
          sourceConditions,
        });
        return {
          key: to,
          size: source.size,
          etag: quoteEtag(out.etag),
          lastModified: out.lastModified ?? new Date(),
        };
      }
      const poller = await target.beginCopyFromURL(url, {
        abortSignal: options.signal,
        conditions,
        sourceConditions,
        intervalInMs: 1000,
      });
      await poller.pollUntilDone();
      // The copy's completion changes the destination's properties: ask for the final ones.
      const done = await headObject(ctx, to, options.signal);
      if (!done) throw notFound('azure', to, 'The copy did not create');
      return { key: to, size: done.size, etag: done.etag, lastModified: done.lastModified };
    },
    sourceChanged: (err) => azureErrorCode(err) === 'SourceConditionNotMet',
  });
}
