import { Readable } from 'node:stream';
import { notFound, type ReadOptions, type ReadResult } from '@trove/core/backend';
import { isEmptyRange, sizeFromAnswer } from '@trove/object-store';
import type { AzureContext } from './context.js';
import { headObject, quoteEtag } from './head.js';
import { azureErrorCode, httpStatus } from './map-error.js';

/**
 * Get Blob, with trove's range semantics: `end` is exclusive, and a range that starts at or past
 * the end (or is empty) reads nothing. Azure answers those with 416, so they are served from Get
 * Blob Properties instead: the stat still describes the whole blob. The SDK re-requests the rest
 * of the body if the connection breaks mid-stream (pinned to the etag it started with).
 */
export async function readObject(
  ctx: AzureContext,
  key: string,
  options: ReadOptions,
): Promise<ReadResult> {
  const range = options.range;
  if (isEmptyRange(range)) return emptyRead(ctx, key, options.signal);
  const blob = ctx.conn.container.getBlobClient(key);
  let out: Awaited<ReturnType<typeof blob.download>>;
  try {
    out = await blob.download(
      range?.start ?? 0,
      range?.end === undefined ? undefined : range.end - (range.start ?? 0),
      { abortSignal: options.signal },
    );
  } catch (err) {
    if (range && (httpStatus(err) === 416 || azureErrorCode(err) === 'InvalidRange'))
      return emptyRead(ctx, key, options.signal);
    if (httpStatus(err) === 404 && azureErrorCode(err) !== 'ContainerNotFound') {
      // Tell a missing container from a missing blob.
      if (!(await headObject(ctx, key, options.signal))) throw notFound('azure', key);
    }
    throw err;
  }
  if (out.metadata?.hdi_isfolder === 'true') throw notFound('azure', key);
  const body = out.readableStreamBody;
  return {
    stat: {
      key,
      size: sizeFromAnswer(range, out.contentRange, out.contentLength),
      etag: quoteEtag(out.etag),
      lastModified: out.lastModified ?? new Date(0),
    },
    body: body ? (body instanceof Readable ? body : Readable.from(body)) : Readable.from([]),
  };
}

async function emptyRead(
  ctx: AzureContext,
  key: string,
  signal?: AbortSignal,
): Promise<ReadResult> {
  const stat = await headObject(ctx, key, signal);
  if (!stat) throw notFound('azure', key);
  return {
    stat: { key, size: stat.size, etag: stat.etag, lastModified: stat.lastModified },
    body: Readable.from([]),
  };
}
