import { stat } from 'node:fs/promises';
import {
  eachBatch,
  type ItemFailure,
  isAbortError,
  validateKey,
  type WriteManyItem,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  writeManyFailure,
} from '@trove/core/backend';
import type { GcsContext } from './context.js';
import { headObject } from './head.js';
import { BACKEND, mapGcsError } from './map-error.js';
import { readWhole, writeBytes, writeFile } from './write.js';

/**
 * Stores many local files (a directory artifact): `objectConcurrency` uploads in flight, each
 * create-only (`ifGenerationMatch: 0`) with its md5 declared, so an object the bucket already
 * has is never replaced (412 counts as skipped) and GCS checks every byte. Items may arrive in
 * batches while a directory is still being hashed: uploads start with the first batch. Files
 * up to 1 MiB are read whole, `objectConcurrency` at a time; larger ones up to `chunkSize`
 * share a 64 MiB budget; larger still are looked up first and go through resumable sessions,
 * one at a time (two chunks in memory). Memory stays near `objectConcurrency` MiB + 64 MiB + two
 * chunks. A failed item does not stop the others; the first failure is thrown at the end. A failing batch source (or an
 * abort) stops new items from starting, and its error is thrown.
 */
export async function writeManyObjects(
  ctx: GcsContext,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  const result: WriteManyResult = { written: 0, skipped: 0, bytes: 0 };
  const failures: ItemFailure[] = [];
  let done = 0;
  let largeQueue: Promise<unknown> = Promise.resolve();
  const medium = new Slots(Math.max(1, Math.floor(MEDIUM_BUDGET / ctx.options.chunkSize)));

  const store = async (item: WriteManyItem): Promise<boolean> => {
    const write = { md5: item.md5, ifNoneMatch: '*' as const, signal: options.signal };
    const { size } = await stat(item.path);
    if (size <= SMALL) {
      const stored = await writeBytes(ctx, item.key, await readWhole(item.path, size), write);
      result.bytes += stored.size;
      return true;
    }
    if (size <= ctx.options.chunkSize) {
      await medium.take();
      try {
        const stored = await writeBytes(ctx, item.key, await readWhole(item.path, size), write);
        result.bytes += stored.size;
        return true;
      } finally {
        medium.give();
      }
    }
    const turn = largeQueue.then(async () => {
      if (await headObject(ctx, item.key, options.signal)) return false;
      const stored = await writeFile(ctx, item.key, item.path, write);
      result.bytes += stored.size;
      return true;
    });
    largeQueue = turn.catch(() => {});
    return turn;
  };

  await forEachStreamed(
    source,
    ctx.options.objectConcurrency,
    (batch) => {
      for (const item of batch) validateKey(item.key, BACKEND);
    },
    async (item) => {
      try {
        if (await store(item)) result.written++;
        else result.skipped++;
      } catch (error) {
        if (isAbortError(error)) throw error;
        const mapped = mapGcsError(error, { bucket: ctx.bucket.name, key: item.key });
        if (mapped.code === 'PRECONDITION_FAILED') result.skipped++;
        else failures.push({ key: item.key, error: mapped });
      }
      options.onProgress?.(++done, result.bytes);
    },
  );
  if (failures.length > 0)
    throw writeManyFailure(BACKEND, failures[0] as ItemFailure, failures.length, done, result);
  return result;
}

/** Files up to this size are read whole, `objectConcurrency` at a time. */
const SMALL = 1024 * 1024;
/** Bytes of larger one-request files (up to `chunkSize` each) held at once. */
const MEDIUM_BUDGET = 64 * 1024 * 1024;

/** A counting semaphore. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  async take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * Runs `each` on every item of an array or of batches arriving over time, `concurrency` at a
 * time, starting with the first batch. `check` sees each batch before its items start. An error
 * from the source, `check` or `each` stops new items; running ones finish, then it is thrown.
 */
async function forEachStreamed<T>(
  source: readonly T[] | AsyncIterable<readonly T[]>,
  concurrency: number,
  check: (batch: readonly T[]) => void,
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
        check(batch);
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
