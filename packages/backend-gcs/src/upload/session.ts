import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TroveError } from '@trove/core/backend';
import { corruptBytes } from '@trove/object-store';
import type { GcsContext, ObjectResource } from '../context.js';
import { isRetryable } from '../http.js';
import { BACKEND } from '../map-error.js';
import { md5Hex } from '../stat.js';
import { querySession, type SessionStatus, sendChunk } from './requests.js';
import type { ChunkSource } from './source.js';

export interface SessionRun {
  key: string;
  uri: string;
  source: ChunkSource;
  /** Bytes the session already holds (an earlier attempt's): hashed locally, not sent again. */
  persisted: number;
  /** Expected md5 (hex): checked before the last chunk is sent, so a mismatch publishes nothing. */
  md5?: string | undefined;
  contentType?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
  /** A hint for the CORRUPT error when the bytes read differ from `md5` (the file changed). */
  hint?: string | undefined;
}

/**
 * Sends a body through a resumable session, chunk after chunk, from `persisted` on. The md5 of
 * the whole body is computed as it goes (the persisted prefix is re-read, not re-sent); the last
 * chunk carries it as `X-Goog-Hash`, and is not sent at all when it differs from `md5`, so the
 * object never appears with other bytes. A chunk that fails retryably is followed by a status
 * query and the upload continues from what the session holds. The finished object's `md5Hash`
 * is compared with the local md5 once more (emulators do not check `X-Goog-Hash`); on a
 * mismatch that very generation is deleted and `OtherBytesStored` thrown.
 */
export async function runSession(
  ctx: GcsContext,
  run: SessionRun,
): Promise<{ resource: ObjectResource; md5: string }> {
  const { key, source } = run;
  const hash = createHash('md5');
  let hashed = 0;
  let whole: Buffer | undefined;
  let offset = run.persisted;
  while (hashed < offset) {
    const chunk = await source.at(hashed);
    const take = Math.min(chunk.bytes.length, offset - hashed);
    hash.update(chunk.bytes.subarray(0, take));
    ctx.onChunk?.({ key, offset: hashed, size: take, kind: 'resumed' });
    hashed += take;
    if (chunk.last && hashed === chunk.offset + chunk.bytes.length) whole = hash.digest();
  }
  run.onProgress?.(offset);
  let failures = 0;
  for (;;) {
    run.signal?.throwIfAborted();
    const chunk = await source.at(offset);
    const end = offset + chunk.bytes.length;
    if (end > hashed) {
      hash.update(chunk.bytes.subarray(hashed - offset));
      hashed = end;
    }
    if (chunk.last) {
      whole ??= hash.digest();
      const actual = whole.toString('hex');
      if (run.md5 !== undefined && actual !== run.md5)
        throw corruptBytes(BACKEND, key, actual, run.md5, run.hint);
    }
    const total = chunk.last ? end : source.size;
    let status: SessionStatus | undefined;
    try {
      status = await sendChunk(
        ctx,
        run.uri,
        chunk.bytes,
        offset,
        total,
        chunk.last ? whole?.toString('base64') : undefined,
        run.contentType,
        run.signal,
      );
      ctx.onChunk?.({ key, offset, size: chunk.bytes.length, kind: 'sent' });
    } catch (err) {
      if (!isRetryable(err) || ++failures >= ctx.options.maxAttempts) throw err;
      await sleep(
        Math.min(8000, 250 * 2 ** failures),
        undefined,
        run.signal ? { signal: run.signal } : undefined,
      );
      status = await querySession(ctx, run.uri, total, run.signal);
      if (!status) {
        throw new TroveError('UNAVAILABLE', `The upload session of ${key} is gone; try again.`, {
          backend: BACKEND,
          key,
          retryable: true,
          cause: err,
        });
      }
    }
    if (status.done) {
      const digest = (whole ?? hash.digest()).toString('hex');
      await checkFinished(ctx, key, status.resource, digest);
      run.onProgress?.(Number(status.resource.size ?? end));
      return { resource: status.resource, md5: digest };
    }
    if (status.persisted > offset) failures = 0;
    offset = status.persisted;
    run.onProgress?.(offset);
  }
}

/**
 * The finished object holds other bytes than this process read and sent (its session was
 * continued from an earlier attempt, or the service assembled it wrong): that generation was
 * deleted. Never the file's doing: the bytes were hashed as they were read. The caller starts
 * over or reports it (`otherBytesError`).
 */
export class OtherBytesStored extends Error {
  constructor(
    readonly key: string,
    readonly stored: string,
    readonly md5: string,
  ) {
    super(`${key}: the service stored md5 ${stored}, not ${md5}`);
  }
}

/** The finished object must hold the bytes that were read; if not, that generation goes. */
export async function checkFinished(
  ctx: GcsContext,
  key: string,
  resource: ObjectResource,
  md5: string,
): Promise<void> {
  const stored = md5Hex(resource.md5Hash);
  if (stored === undefined || stored === md5) return;
  await ctx.bucket
    .file(key)
    .delete({ ifGenerationMatch: Number(resource.generation) })
    .catch(() => {});
  throw new OtherBytesStored(key, stored, md5);
}

/**
 * The CORRUPT error for an upload whose service stored other bytes even after starting over.
 * The hint says the local bytes were fine (they hashed to what was sent), so it does not send
 * the user to their file.
 */
export function otherBytesError(err: OtherBytesStored, what: string): TroveError {
  return corruptBytes(
    BACKEND,
    err.key,
    err.stored,
    err.md5,
    `${what} read back as md5 ${err.md5}, as sent; the service stored other bytes, and that object was removed. Try again; if it persists, something between trove and the service alters uploads.`,
  );
}
