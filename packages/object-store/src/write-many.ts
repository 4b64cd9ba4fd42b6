import {
  eachBatch,
  type ItemFailure,
  isAbortError,
  type ObjectStat,
  type TroveError,
  transferStarted,
  validateKey,
  type WriteManyItem,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
  writeManyFailure,
} from '@trove/core/backend';
import { ExistingProbe, type ListKeys } from './existing-probe.js';
import { ByteBudget, readFileBytes, readSmallFile, SMALL_FILE_MAX } from './file-bytes.js';

/** What an object store gives `writeManyWith`: its requests and its limits. */
export interface ManyWrites {
  /** The backend's name in errors (`s3`, `gcs`, `azure`). */
  readonly backend: string;
  /** Uploads in flight at once. */
  readonly objectConcurrency: number;
  /** The largest file sent in one request (a part, chunk or block); larger ones go by `writeFile`. */
  readonly oneRequestMax: number;
  /** Bytes of one-request bodies over 1 MiB held at once. */
  readonly bufferBudget: number;
  /** One request, with the options' conditions and md5 declared. */
  putBytes(key: string, bytes: Buffer, options: WriteOptions): Promise<ObjectStat>;
  /** A file larger than `oneRequestMax`: multipart, resumable session or blocks. */
  writeFile(key: string, path: string, options: WriteOptions): Promise<ObjectStat>;
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
  /** The backend's listing, to find objects already stored with one request per prefix. */
  list: ListKeys;
  /** The service's error as a TroveError (PRECONDITION_FAILED for a key already taken). */
  mapError(error: unknown, key: string): TroveError;
}

/**
 * `writeMany` for an object store: `objectConcurrency` uploads in flight, each create-only
 * with its md5 declared, so an object the store already has is never replaced (a refused
 * create counts as skipped) and the service checks every byte. Items may arrive in batches while
 * a directory is still being hashed: uploads start with the first batch. Each parent prefix
 * (`files/md5/ab/`) is listed once, which finds the objects already there with one request per
 * prefix instead of one request per object. Files up to 1 MiB are read synchronously; larger
 * ones up to `oneRequestMax` share `bufferBudget` bytes; larger still go by `writeFile`, one at
 * a time (each is parallel inside). A failed item does not stop the others; the first failure is
 * thrown at the end. A failing batch source (or an abort) stops new items from starting, and
 * its error is thrown.
 */
export async function writeManyWith(
  w: ManyWrites,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  const { signal } = options;
  const result: WriteManyResult = { written: 0, skipped: 0, bytes: 0 };
  const probe = new ExistingProbe(w.list, signal);
  const budget = new ByteBudget(w.bufferBudget);
  const smallMax = Math.min(SMALL_FILE_MAX, w.oneRequestMax);
  const failures: ItemFailure[] = [];
  let largeQueue: Promise<unknown> = Promise.resolve();
  let done = 0;

  const store = async (item: WriteManyItem): Promise<boolean> => {
    if (probe.known(item.key) === true) return false;
    const write = { md5: item.md5, ifNoneMatch: '*' as const, signal };
    const { bytes: small, size } = readSmallFile(item.path, smallMax);
    const ended = transferStarted(item.key, size, 'upload');
    try {
      return await send(item, small, size, write);
    } finally {
      ended();
    }
  };

  /** One file: read whole when small, in memory under the budget, else by `writeFile` in turn. */
  const send = async (
    item: WriteManyItem,
    small: Buffer | undefined,
    size: number,
    write: WriteOptions,
  ): Promise<boolean> => {
    if (small) {
      const stored = await w.putBytes(item.key, small, write);
      result.bytes += stored.size;
      return true;
    }
    if (size <= w.oneRequestMax) {
      await budget.acquire(size);
      try {
        const stored = await w.putBytes(item.key, await readFileBytes(item.path, size), write);
        result.bytes += stored.size;
        return true;
      } finally {
        budget.release(size);
      }
    }
    const turn = largeQueue.then(async () => {
      if (probe.known(item.key) === undefined && (await w.exists(item.key, signal))) return false;
      const stored = await w.writeFile(item.key, item.path, write);
      result.bytes += stored.size;
      return true;
    });
    largeQueue = turn.catch(() => {});
    return turn;
  };

  await forEachArriving(
    source,
    w.objectConcurrency,
    async (batch) => {
      for (const item of batch) validateKey(item.key, w.backend);
      await probe.add(batch);
    },
    async (item) => {
      try {
        if (await store(item)) result.written++;
        else result.skipped++;
      } catch (error) {
        if (isAbortError(error)) throw error;
        const mapped = w.mapError(error, item.key);
        if (mapped.code === 'PRECONDITION_FAILED') result.skipped++;
        else failures.push({ key: item.key, error: mapped });
      }
      options.onProgress?.(++done, result.bytes);
    },
  );
  if (failures.length > 0)
    throw writeManyFailure(w.backend, failures[0] as ItemFailure, failures.length, done, result);
  return result;
}

/**
 * Runs `each` on every item of an array or of batches arriving over time, `concurrency` at a
 * time, starting with the first batch. `admit` sees each batch before its items start. An error
 * from the source, `admit` or `each` stops new items; running ones finish, then it is thrown.
 */
async function forEachArriving<T>(
  source: readonly T[] | AsyncIterable<readonly T[]>,
  concurrency: number,
  admit: (batch: readonly T[]) => Promise<void>,
  each: (item: T) => Promise<void>,
): Promise<void> {
  const ready: T[] = [];
  let next = 0;
  let fed = false;
  let fatal: { error: unknown } | undefined;
  let waiting: (() => void)[] = [];
  const wake = (): void => {
    const all = waiting;
    waiting = [];
    for (const resume of all) resume();
  };
  const feed = async (): Promise<void> => {
    try {
      for await (const batch of eachBatch(source)) {
        await admit(batch);
        ready.push(...batch);
        wake();
        if (fatal) return;
      }
    } catch (error) {
      fatal ??= { error };
    } finally {
      fed = true;
      wake();
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (fatal) return;
      if (next >= ready.length) {
        if (fed) return;
        await new Promise<void>((resume) => waiting.push(resume));
        continue;
      }
      try {
        await each(ready[next++] as T);
      } catch (error) {
        fatal ??= { error };
        wake();
        return;
      }
    }
  };
  await Promise.all([feed(), ...Array.from({ length: concurrency }, () => worker())]);
  if (fatal) throw fatal.error;
}
