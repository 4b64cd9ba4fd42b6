/**
 * A read whose body survives a broken connection. The SDKs retry a request until its answer's
 * head arrives; after that the body is a stream they hand over, and a connection cut in the
 * middle of it (a reset, a proxy, a flaky network) used to end the read with a raw `aborted`.
 * Here the body is read again from the first byte not yet delivered, with a range request, as
 * long as the object is the one first read (same etag): the caller sees one stream of the
 * object's bytes, and its own md5 check of them still holds end to end. After `attempts`
 * failures in a row without a byte of progress, the error is the backend's mapped error
 * (`UNAVAILABLE` for a network fault).
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isAbortError,
  isNetworkError,
  type ReadOptions,
  type ReadResult,
  TroveError,
} from '@trove/core/backend';

export interface ResumeReadOptions {
  /** Failures in a row without progress before giving up (default 5). */
  attempts?: number;
  /** Reads the same object again with other options (a range); errors already mapped. */
  readAgain(options: ReadOptions): Promise<ReadResult>;
  /** The backend's mapping of a raw error of the body. */
  mapError(error: unknown): Error;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/** `first`'s body, resumed from where it broke with range reads of the same object version. */
export function resumableBody(
  key: string,
  first: ReadResult,
  options: ReadOptions,
  resume: ResumeReadOptions,
): Readable {
  // An answer that has arrived whole (a small object, most often) has no connection left to break:
  // it is handed over as it is, without the extra stream and generator of a resumable one.
  if ((first.body as { complete?: boolean }).complete === true) return first.body;
  const attempts = resume.attempts ?? 5;
  const end = options.range?.end;
  async function* chunks(): AsyncGenerator<Buffer> {
    let body = first.body;
    let offset = options.range?.start ?? 0;
    let failures = 0;
    for (;;) {
      try {
        for await (const chunk of body) {
          failures = 0;
          offset += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        return;
      } catch (err) {
        body.destroy();
        if (options.signal?.aborted) throw err;
        // Without the caller's signal aborted, an abort is the SDK's word for a cut body (Azure's
        // stream reports its socket's `aborted` so): a network fault like any other.
        const cut = isAbortError(err) ? networkCut(err) : err;
        if (!isNetworkError(cut) || ++failures >= attempts) throw resume.mapError(cut);
        const cap = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1));
        await sleep(cap / 2 + (Math.random() * cap) / 2);
        const again = await resume.readAgain({
          ...options,
          range: { start: offset, ...(end !== undefined ? { end } : {}) },
        });
        if (again.stat.etag !== first.stat.etag) {
          again.body.destroy();
          throw new TroveError('CONFLICT', `${key} changed while it was being read.`, {
            key,
            retryable: true,
            cause: err,
          });
        }
        body = again.body;
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

function networkCut(err: unknown): Error {
  return Object.assign(
    new Error('The connection broke in the middle of the answer.', { cause: err }),
    {
      code: 'ECONNRESET',
    },
  );
}
