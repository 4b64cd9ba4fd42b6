import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ObjectStat, ReadOptions, ReadResult } from '@trove/core/backend';
import { isEmptyRange, rangeHeader } from '@trove/object-store';
import type { GcsContext, ObjectResource } from './context.js';
import { gcsFetch, httpError, objectUrl, withRetries } from './http.js';
import { md5Hex, toStat } from './stat.js';

/**
 * Opens an object for reading with one media request (`alt=media`, with a `Range` header for a
 * range): the stat comes from the same answer's headers (`x-goog-generation`,
 * `x-goog-stored-content-length`, `x-goog-hash`), so stat and bytes are always of one
 * generation, even while the object is replaced. A range that starts at or past the end (416)
 * gives an empty body and the object's stat.
 */
export async function readObject(
  ctx: GcsContext,
  key: string,
  options: ReadOptions,
): Promise<ReadResult> {
  const range = options.range;
  const url = `${objectUrl(ctx, key)}?alt=media`;
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  if (range && (range.start > 0 || range.end !== undefined)) {
    if (isEmptyRange(range)) return emptyRead(ctx, key);
    headers.Range = rangeHeader(range);
  }
  const response = await withRetries(
    ctx.options.maxAttempts,
    async () => {
      const answer = await gcsFetch(ctx, url, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (answer.ok || answer.status === 416) return answer;
      throw await httpError(answer, `reading ${key}`);
    },
    options.signal,
  );
  if (response.status === 416 || !response.body) {
    await response.body?.cancel();
    return emptyRead(ctx, key);
  }
  // Emulators without x-goog-generation (gcp-storage-emulator): the stat from the metadata.
  const stat = response.headers.has('x-goog-generation')
    ? statFromHeaders(key, response.headers)
    : toStat(key, (await ctx.bucket.file(key).getMetadata())[0] as ObjectResource);
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  return { stat, body };
}

async function emptyRead(ctx: GcsContext, key: string): Promise<ReadResult> {
  const [metadata] = await ctx.bucket.file(key).getMetadata();
  return { stat: toStat(key, metadata as ObjectResource), body: Readable.from([]) };
}

function statFromHeaders(key: string, headers: Headers): ObjectStat {
  const total =
    headers.get('x-goog-stored-content-length') ??
    /\/(\d+)$/.exec(headers.get('content-range') ?? '')?.[1] ??
    headers.get('content-length') ??
    '0';
  const modified = headers.get('last-modified');
  const stat: ObjectStat = {
    key,
    size: Number(total),
    etag: headers.get('x-goog-generation') ?? '',
    lastModified: modified ? new Date(modified) : new Date(),
  };
  const md5 = md5Hex(/md5=([^,]+)/.exec(headers.get('x-goog-hash') ?? '')?.[1]);
  if (md5 !== undefined) stat.md5 = md5;
  return stat;
}
