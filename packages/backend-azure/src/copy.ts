import {
  type CopyOptions,
  isTroveError,
  notFound,
  type ObjectStat,
  type StorageBackend,
} from '@trove/core/backend';
import { pinnedCopy } from '@trove/object-store';
import type { AzureContext } from './context.js';
import { headObject, quoteEtag } from './head.js';
import { azureErrorCode } from './map-error.js';
import { sasUrl } from './sas.js';

const SOURCE_SAS_SECONDS = 60 * 60;

/** Where a copy's bytes come from: a blob the service can read by URL. */
interface CopySource {
  readonly key: string;
  /** The blob's stat, `undefined` when absent. */
  head(): Promise<ObjectStat | undefined>;
  /** A URL the service reads it by (a short-lived read SAS). */
  url(): Promise<string>;
}

/**
 * Server-side copy: no bytes pass through this machine. The source is given by a short-lived
 * read SAS (Copy From URL needs one on Azure, even within an account), pinned to the etag that
 * was stat'ed so the size returned is the one copied. Up to 256 MiB it is one synchronous Copy
 * Blob From URL; above, an asynchronous Copy Blob polled until done. `ifNoneMatch: "*"` is the
 * destination condition of either, so a create-only copy is atomic (409 BlobAlreadyExists).
 */
export function copyObject(
  ctx: AzureContext,
  from: string,
  to: string,
  options: CopyOptions,
): Promise<ObjectStat> {
  const blob = ctx.conn.container.getBlobClient(from);
  return copyBySource(ctx, to, options, {
    key: from,
    head: () => headObject(ctx, from, options.signal),
    url: () => sasUrl(ctx, blob, 'r', SOURCE_SAS_SECONDS, true),
  });
}

/**
 * A server-side copy from a blob of another store (a sync between two containers), read by a
 * SAS the source signs with its own credentials: `undefined` when the source cannot sign one or
 * lives on another service than this one (the caller streams instead).
 */
export async function copyFromStore(
  ctx: AzureContext,
  source: StorageBackend,
  from: string,
  to: string,
  options: CopyOptions,
): Promise<ObjectStat | undefined> {
  if (!source.signedUrl) return undefined;
  let url: URL;
  try {
    url = await source.signedUrl(from, { method: 'GET', expiresIn: SOURCE_SAS_SECONDS });
  } catch (err) {
    if (isTroveError(err, 'INVALID_CONFIG')) return undefined;
    throw err;
  }
  const target = new URL(ctx.conn.container.getBlobClient(to).url);
  if (serviceOf(url, from) !== serviceOf(target, to)) return undefined;
  return copyBySource(ctx, to, options, {
    key: from,
    head: () =>
      source.stat(from, options).catch((err: unknown) => {
        if (isTroveError(err, 'NOT_FOUND')) return undefined;
        throw err;
      }),
    url: async () => url.toString(),
  });
}

/**
 * The blob service the URL of blob `key` is on: the host for path-style URLs (Azurite:
 * `/<account>/<container>/<key>`), the host less the account for Azure's own
 * (`<account>.blob.core.windows.net`), where any account reads another's blob by SAS.
 */
function serviceOf(url: URL, key: string): string {
  const above = url.pathname.split('/').filter(Boolean).length - key.split('/').length;
  return above > 1 ? url.host : url.host.replace(/^[^.]+\./, '');
}

function copyBySource(
  ctx: AzureContext,
  to: string,
  options: CopyOptions,
  source: CopySource,
): Promise<ObjectStat> {
  return pinnedCopy('azure', source.key, {
    head: () => source.head(),
    async copy(found) {
      const target = ctx.conn.container.getBlobClient(to);
      const url = await source.url();
      const conditions = { ifNoneMatch: options.ifNoneMatch };
      const sourceConditions = { ifMatch: found.etag };
      if (found.size <= ctx.options.syncCopyLimit) {
        const out = await target.syncCopyFromURL(url, {
          abortSignal: options.signal,
          conditions,
          sourceConditions,
        });
        return {
          key: to,
          size: found.size,
          etag: quoteEtag(out.etag),
          lastModified: out.lastModified ?? new Date(),
          // The service's md5 of what it copied, when it computed one.
          ...(out.contentMD5 ? { md5: Buffer.from(out.contentMD5).toString('hex') } : {}),
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
