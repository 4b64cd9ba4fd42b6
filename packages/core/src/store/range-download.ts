/**
 * One object into a new local file, in parallel ranges when it is large: the first request
 * reads the first part and learns the object's size from its stat (so a small object costs one
 * request, as before), then the other parts are read `RANGE_CONCURRENCY` at a time and each is
 * written at its offset as its chunks arrive. Memory is a few stream buffers per part in flight,
 * whatever the size. The md5 is computed over the whole file afterwards (parts arrive out of
 * order); the caller checks it. A backend without `rangeRead` streams the object whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { StorageBackend } from '../backend/contract.js';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { md5File } from '../hash/md5-file.js';

/** Bytes of one range: big enough that a request's latency is small beside its transfer. */
export const RANGE_PART = 8 * 1024 * 1024;
/** Ranges in flight for one object (a folder's files are already fetched many at once). */
export const RANGE_CONCURRENCY = 6;

type FileHandle = Awaited<ReturnType<typeof open>>;

export interface DownloadResult {
  /** md5 (hex) of the bytes written. */
  md5: string;
  size: number;
  /** Range requests made (1 for an object within one part, 0 without `rangeRead`). */
  ranges: number;
}

/** Writes `key` to `path` (which must not exist) and returns what was written. */
export async function downloadObject(
  backend: StorageBackend,
  key: string,
  path: string,
  partSize = RANGE_PART,
): Promise<DownloadResult> {
  const file = await open(path, 'wx');
  try {
    if (!backend.capabilities.rangeRead) {
      return { ...(await writeHashed(file, (await backend.read(key)).body)), ranges: 0 };
    }
    const first = await backend.read(key, { range: { start: 0, end: partSize } });
    const { size, etag } = first.stat;
    if (size <= partSize) {
      const whole = await writeHashed(file, first.body);
      expectLength(key, backend.kind, whole.size, size);
      return { ...whole, ranges: 1 };
    }
    const starts = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => i * partSize);
    await mapLimit(starts, RANGE_CONCURRENCY, async (start, i) => {
      const end = Math.min(size, start + partSize);
      let body = first.body;
      if (i > 0) {
        const part = await backend.read(key, { range: { start, end } });
        // Stored objects never change; one that did would mix two versions in the file.
        if (part.stat.etag !== etag || part.stat.size !== size) {
          part.body.destroy();
          throw new TroveError('CHANGED', `${key} changed while it was downloaded.`, {
            key,
            backend: backend.kind,
            retryable: true,
          });
        }
        body = part.body;
      }
      expectLength(key, backend.kind, await writeAt(file, body, start), end - start);
    }).finally(() => first.body.destroy());
    await file.close();
    return { md5: (await md5File(path)).md5, size, ranges: starts.length };
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** Streams the whole of `body` into `file`, hashing it as it goes. */
async function writeHashed(
  file: FileHandle,
  body: Readable,
): Promise<Omit<DownloadResult, 'ranges'>> {
  const hash = createHash('md5');
  const size = await writeAt(file, body, 0, hash);
  return { md5: hash.digest('hex'), size };
}

/** Streams `body` into `file` from `offset` (into `hash` too, when given); the bytes written. */
async function writeAt(
  file: FileHandle,
  body: Readable,
  offset: number,
  hash?: Hash,
): Promise<number> {
  let at = offset;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash?.update(chunk);
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await file.write(chunk, done, chunk.length - done, at + done);
        done += bytesWritten;
      }
      at += chunk.length;
    }
  } finally {
    body.destroy();
  }
  return at - offset;
}

function expectLength(key: string, backend: string, got: number, want: number): void {
  if (got === want) return;
  throw new TroveError('UNAVAILABLE', `A read of ${key} ended after ${got} of ${want} bytes.`, {
    key,
    backend,
    retryable: true,
  });
}
