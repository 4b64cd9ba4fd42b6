/**
 * One object into a new local file, in parallel ranges when it is large: the first request
 * reads the first part and learns the object's size from its stat (so a small object costs one
 * request, as before), then the other parts are read `RANGE_CONCURRENCY` at a time and each is
 * written at its offset as its chunks arrive (gathered into writes of up to 1 MiB). Memory is a
 * few stream buffers and one write batch per part in flight, whatever the size. The cache's
 * copy, when asked, is written from the same buffers. The md5 is computed while the parts
 * arrive, on another thread, by following the file's written prefix (`follow-hash.ts`); the
 * caller checks it. A backend without `rangeRead` streams the object whole.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ReadResult, StorageBackend } from '../backend/contract.js';
import { mapLimit } from '../backend/map-limit.js';
import { transferStarted } from '../backend/transfer-channel.js';
import { TroveError } from '../errors.js';
import { writeFully } from '../fs/write-fully.js';
import { followHash } from './follow-hash.js';

/**
 * Bytes of the first range, and the least of every other: big enough that a request's latency is
 * small beside its transfer.
 */
export const RANGE_PART = 8 * 1024 * 1024;
/**
 * Ranges of one object at most: a larger object is read in larger ranges. Every request costs
 * the client's SDK and the server CPU; Azurite served a 1 GiB get in 8 MiB ranges (128 requests)
 * with 4.3 s of CPU against rclone's 1.6 s in 4, and the get took 3.9 s in 8 MiB ranges, 3.1 s in
 * 32 MiB ones. S3 (MinIO) showed no difference.
 */
export const MAX_RANGES = 32;
/** Ranges in flight for one object (a folder's files are already fetched many at once). */
export const RANGE_CONCURRENCY = 4;

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
  /** Bytes of the first range, and the least of the others (default `RANGE_PART`). */
  partSize?: number;
  /**
   * A second new file to write the same bytes to (the read-through cache's temp file). A copy
   * that cannot be written is dropped (`copied: false`); it never fails the download.
   */
  copyTo?: string;
}

/**
 * Objects up to this size arrive whole before anything is written (one socket read or a few), and
 * are written with plain synchronous calls: open, write, close, no thread-pool hand-off. A folder
 * of 10,000 small files spent most of its CPU handing file calls to the pool and back.
 */
export const SMALL_OBJECT = 1024 * 1024;

/** Writes `key` to `path` (which must not exist) and returns what was written. */
export async function downloadObject(
  backend: StorageBackend,
  key: string,
  path: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const partSize = options.partSize ?? RANGE_PART;
  // The path is taken before anything is read: one that exists fails here (EEXIST). A large
  // object's writes go through a second, asynchronous handle of the same file.
  const fd = openSync(path, 'wx');
  let file: FileHandle | undefined;
  let copy: CopyWriter | undefined;
  // Its start is published on the transfer channel once the size is known, its end at the end.
  let ended = (): void => {};
  try {
    if (!backend.capabilities.rangeRead) {
      const whole = await backend.read(key);
      ended = transferStarted(key, whole.stat.size, 'download');
      file = await open(path, 'r+');
      copy = copyWriter(options.copyTo);
      return { ...(await writeWhole(file, whole.body, copy)), ranges: 0 };
    }
    const first = await backend.read(key, { range: { start: 0, end: partSize } });
    const { size } = first.stat;
    ended = transferStarted(key, size, 'download');
    if (size <= Math.min(partSize, SMALL_OBJECT)) {
      const small = await writeSmall(fd, first.body, options.copyTo);
      expectLength(key, backend.kind, small.size, size);
      return { ...small, ranges: 1 };
    }
    file = await open(path, 'r+');
    copy = copyWriter(options.copyTo);
    if (size <= partSize) {
      const whole = await writeWhole(file, first.body, copy);
      expectLength(key, backend.kind, whole.size, size);
      return { ...whole, ranges: 1 };
    }
    return await writeRanges(backend, key, path, file, first, copy, partSize);
  } finally {
    closeSync(fd);
    await file?.close().catch(() => undefined);
    await copy?.close();
    ended();
  }
}

/**
 * A small object: gathered whole from `body` (at most `SMALL_OBJECT` bytes, as one write batch
 * would be), hashed, written to `fd` and to a new `copyTo`, synchronously.
 */
async function writeSmall(
  fd: number,
  body: Readable,
  copyTo: string | undefined,
): Promise<Omit<DownloadResult, 'ranges'>> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > SMALL_OBJECT) break;
    }
  } finally {
    body.destroy();
  }
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  const md5 = createHash('md5').update(bytes).digest('hex');
  // writeFileSync writes every byte (short writes go on), to the taken fd as to the copy's path.
  writeFileSync(fd, bytes);
  let copied = false;
  if (copyTo !== undefined) {
    try {
      writeFileSync(copyTo, bytes, { flag: 'wx' });
      copied = true;
    } catch {
      // A copy that cannot be written is dropped; it never fails the download.
    }
  }
  return { md5, size, copied };
}

/**
 * The rest of a large object (`first` is its first part, already asked for) in parallel ranges,
 * each written at its offset; the md5 follows the file's written prefix on another thread.
 */
async function writeRanges(
  backend: StorageBackend,
  key: string,
  path: string,
  file: FileHandle,
  first: ReadResult,
  copy: CopyWriter,
  partSize: number,
): Promise<DownloadResult> {
  const { size, etag } = first.stat;
  const ranges = rangesOf(size, partSize);
  const parts = ranges.length;
  // Parts are written side by side; the hash follows the file's written prefix batch by
  // batch: the finished parts from the start, then what the next part has written so far.
  const hasher = followHash(path);
  const written = new Array<number>(parts).fill(0);
  let whole = 0;
  const wrote = (i: number, bytes: number) => {
    written[i] = (written[i] ?? 0) + bytes;
    for (let r = ranges[whole]; r && written[whole] === r.end - r.start; r = ranges[whole]) whole++;
    hasher.advance((ranges[whole]?.start ?? size) + (written[whole] ?? 0));
  };
  try {
    await mapLimit(ranges, RANGE_CONCURRENCY, async ({ start, end }, i) => {
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
      const got = await writeAt(file, body, start, copy.write, (bytes) => wrote(i, bytes));
      expectLength(key, backend.kind, got, end - start);
    }).finally(() => first.body.destroy());
  } catch (err) {
    hasher.stop();
    throw err;
  }
  await file.close();
  const md5 = await hasher.finish(size);
  return { md5, size, ranges: parts, copied: await copy.close() };
}

/**
 * The byte ranges (`end` exclusive) an object of `size` bytes is read in: `[0, first)`, which
 * the first request asked for before the size was known, then the rest in parts of at least
 * `first` bytes (whole MiB), `MAX_RANGES` in all at most.
 */
export function rangesOf(size: number, first: number): Array<{ start: number; end: number }> {
  const MIB = 1024 * 1024;
  const rest = Math.ceil((size - first) / (MAX_RANGES - 1) / MIB) * MIB;
  const part = Math.max(first, rest);
  const out = [{ start: 0, end: Math.min(size, first) }];
  for (let start = first; start < size; start += part)
    out.push({ start, end: Math.min(size, start + part) });
  return out;
}

interface CopyWriter {
  /** Writes `chunks` at `at` in the copy (nothing once the copy is dropped). */
  write(chunks: Buffer[], at: number): Promise<void>;
  /** Closes the copy (once; later calls give the same answer): whether it holds every byte. */
  close(): Promise<boolean>;
}

/**
 * The second file a download writes (the read-through cache's copy), from the same buffers as
 * the first, made on its first write (or at close: an empty object's copy is an empty file).
 * A copy that cannot be written is dropped; it never fails the download.
 */
function copyWriter(path: string | undefined): CopyWriter {
  let kept = path !== undefined;
  let handle: Promise<FileHandle | undefined> | undefined;
  let closed: Promise<boolean> | undefined;
  const opened = () => {
    handle ??= open(path as string, 'wx').catch(() => {
      kept = false;
      return undefined;
    });
    return handle;
  };
  return {
    async write(chunks, at) {
      if (!kept) return;
      const copy = await opened();
      if (!copy || !kept) return;
      try {
        await writeFully(copy, chunks, at);
      } catch {
        kept = false;
      }
    },
    close() {
      closed ??= (async () => {
        const copy = kept ? await opened() : await handle;
        try {
          await copy?.close();
        } catch {
          kept = false;
        }
        return kept && copy !== undefined;
      })();
      return closed;
    },
  };
}

/**
 * Streams the whole of `body` into `file` (and into the copy), hashing it as it goes.
 */
async function writeWhole(
  file: FileHandle,
  body: Readable,
  copy: CopyWriter,
): Promise<Omit<DownloadResult, 'ranges'>> {
  const hash = createHash('md5');
  const size = await writeAt(file, body, 0, async (chunks, at) => {
    for (const chunk of chunks) hash.update(chunk);
    await copy.write(chunks, at);
  });
  return { md5: hash.digest('hex'), size, copied: await copy.close() };
}

/** Socket chunks are gathered up to this many bytes per write: a few syscalls, not thousands. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Streams `body` into `file` from `offset`, the socket's chunks written together (one `writev`
 * of up to `WRITE_BATCH` bytes, with no copy into a larger buffer) and each batch also given to
 * `each`, in order, when given; `written` is told each batch's bytes once they are in the file.
 * The bytes written.
 */
async function writeAt(
  file: FileHandle,
  body: Readable,
  offset: number,
  each?: (chunks: Buffer[], at: number) => Promise<void>,
  written?: (bytes: number) => void,
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
    written?.(bytes);
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
