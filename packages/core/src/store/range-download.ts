/**
 * One object into a new local file, in parallel ranges when it is large: the first request
 * reads the first part and learns the object's size from its stat (so a small object costs one
 * request, as before), then the other parts are read `RANGE_CONCURRENCY` at a time and each is
 * written at its offset as its chunks arrive (gathered into writes of up to 1 MiB). Memory is a
 * few stream buffers and one write batch per part in flight, whatever the size. The md5 is
 * computed while the parts arrive, by following the file's written prefix (`follow-hash.ts`,
 * which writes the cache's copy in the same pass); the caller checks it. A backend without `rangeRead`
 * streams the object whole.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { StorageBackend } from '../backend/contract.js';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { writeFully } from '../fs/write-fully.js';
import { followHash } from './follow-hash.js';

/** Bytes of one range: big enough that a request's latency is small beside its transfer. */
export const RANGE_PART = 8 * 1024 * 1024;
/** Ranges in flight for one object (a folder's files are already fetched many at once). */
export const RANGE_CONCURRENCY = 6;

export interface DownloadResult {
  /** md5 (hex) of the bytes written. */
  md5: string;
  size: number;
  /** Range requests made (1 for an object within one part, 0 without `rangeRead`). */
  ranges: number;
  /** Whether `copyTo` holds every byte (false without one). */
  copied: boolean;
}

export interface DownloadOptions {
  /** Bytes of one range (default `RANGE_PART`). */
  partSize?: number;
  /**
   * A second new file to write the same bytes to (the read-through cache's temp file). A copy
   * that cannot be written is dropped (`copied: false`); it never fails the download.
   */
  copyTo?: string;
}

/** Writes `key` to `path` (which must not exist) and returns what was written. */
export async function downloadObject(
  backend: StorageBackend,
  key: string,
  path: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const partSize = options.partSize ?? RANGE_PART;
  const { copyTo } = options;
  const file = await open(path, 'wx');
  try {
    if (!backend.capabilities.rangeRead) {
      return { ...(await writeWhole(file, (await backend.read(key)).body, copyTo)), ranges: 0 };
    }
    const first = await backend.read(key, { range: { start: 0, end: partSize } });
    const { size, etag } = first.stat;
    if (size <= partSize) {
      const whole = await writeWhole(file, first.body, copyTo);
      expectLength(key, backend.kind, whole.size, size);
      return { ...whole, ranges: 1 };
    }
    const parts = Math.ceil(size / partSize);
    const starts = Array.from({ length: parts }, (_, i) => i * partSize);
    // Parts end out of order; the hash follows the written prefix, part by part.
    const hasher = followHash(path, copyTo);
    const written = new Array<boolean>(parts).fill(false);
    let prefix = 0;
    try {
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
        written[i] = true;
        while (prefix < parts && written[prefix]) prefix++;
        hasher.advance(Math.min(size, prefix * partSize));
      }).finally(() => first.body.destroy());
    } catch (err) {
      await hasher.stop();
      throw err;
    }
    await file.close();
    return { ...(await hasher.finish(size)), size, ranges: parts };
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * Streams the whole of `body` into `file` (and into a new file at `copyTo`, when given),
 * hashing it as it goes.
 */
async function writeWhole(
  file: FileHandle,
  body: Readable,
  copyTo: string | undefined,
): Promise<Omit<DownloadResult, 'ranges'>> {
  const hash = createHash('md5');
  let copy: FileHandle | undefined;
  let copied = copyTo !== undefined;
  const size = await writeAt(file, body, 0, async (chunks, at) => {
    for (const chunk of chunks) hash.update(chunk);
    if (!copied || copyTo === undefined) return;
    try {
      copy ??= await open(copyTo, 'wx');
      await writeFully(copy, chunks, at);
    } catch {
      copied = false; // the cache's copy is dropped, never the download
    }
  });
  if (copied && copyTo !== undefined) {
    // The copy is whole once its file is closed (an empty object: an empty file).
    try {
      copy ??= await open(copyTo, 'wx');
      await copy.close();
      copy = undefined;
    } catch {
      copied = false;
    }
  }
  await copy?.close().catch(() => undefined);
  return { md5: hash.digest('hex'), size, copied };
}

/** Socket chunks are gathered up to this many bytes per write: a few syscalls, not thousands. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Streams `body` into `file` from `offset`, the socket's chunks written together (one `writev`
 * of up to `WRITE_BATCH` bytes, with no copy into a larger buffer) and each batch also given to
 * `each`, in order, when given; the bytes written.
 */
async function writeAt(
  file: FileHandle,
  body: Readable,
  offset: number,
  each?: (chunks: Buffer[], at: number) => Promise<void>,
): Promise<number> {
  let at = offset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunks = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    await Promise.all([writeFully(file, chunks, at), each?.(chunks, at)]);
    at += bytes;
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= WRITE_BATCH) await flush();
    }
    await flush();
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
