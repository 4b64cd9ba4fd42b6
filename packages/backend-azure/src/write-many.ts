import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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
import type { AzureContext } from './context.js';
import { headObject } from './head.js';
import { BACKEND, mapAzureError } from './map-error.js';
import { putBlob, readWhole, writeFile } from './write.js';

/**
 * Files up to this size are read synchronously: for a 10 KiB file the promise-based fs calls
 * cost more CPU than the read itself. Memory stays bounded: `objectConcurrency` × 1 MiB.
 */
const SYNC_READ_MAX = 1 << 20;

/**
 * Stores many local files (a directory artifact): `objectConcurrency` Put Blobs in flight, each
 * create-only (`If-None-Match: *`) with its Content-MD5, so a blob the container already has is
 * never replaced (409 BlobAlreadyExists counts as skipped) and the service checks every byte.
 * Items may arrive in batches while a directory is still being hashed: uploads start with the
 * first batch. Files over 1 MiB take one of `concurrency` slots (bounding the bytes buffered);
 * files over one block are block uploads, one at a time (each is parallel inside). A failed item
 * does not stop the others; the first failure is thrown at the end. A failing batch source (or
 * an abort) stops new items from starting, and its error is thrown.
 */
export async function writeManyObjects(
  ctx: AzureContext,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  const result: WriteManyResult = { written: 0, skipped: 0, bytes: 0 };
  const failures: ItemFailure[] = [];
  const medium = new Slots(ctx.options.concurrency);
  let largeQueue: Promise<unknown> = Promise.resolve();
  let done = 0;

  const store = async (item: WriteManyItem): Promise<boolean> => {
    const write = { md5: item.md5, ifNoneMatch: '*' as const, signal: options.signal };
    const { bytes: small, size } = readSmall(item.path);
    if (small) {
      const stored = await putBlob(ctx, item.key, small, write);
      result.bytes += stored.size;
      return true;
    }
    if (size <= ctx.options.blockSize) {
      await medium.acquire();
      try {
        const stored = await putBlob(ctx, item.key, await readWhole(item.path, size), write);
        result.bytes += stored.size;
        return true;
      } finally {
        medium.release();
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

  const ready: WriteManyItem[] = [];
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
        for (const item of batch) validateKey(item.key, BACKEND);
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
      const item = ready[next++] as WriteManyItem;
      try {
        if (await store(item)) result.written++;
        else result.skipped++;
      } catch (error) {
        if (isAbortError(error)) {
          fatal ??= { error };
          wake();
          return;
        }
        const mapped = mapAzureError(error, { container: ctx.options.container, key: item.key });
        if (mapped.code === 'PRECONDITION_FAILED') result.skipped++;
        else failures.push({ key: item.key, error: mapped });
      }
      options.onProgress?.(++done, result.bytes);
    }
  };

  await Promise.all([
    feed(),
    ...Array.from({ length: ctx.options.objectConcurrency }, () => worker()),
  ]);
  if (fatal) throw fatal.error;
  if (failures.length > 0)
    throw writeManyFailure(BACKEND, failures[0] as ItemFailure, failures.length, done, result);
  return result;
}

/** The whole file when it is at most SYNC_READ_MAX bytes; its size either way. */
function readSmall(path: string): { bytes?: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SYNC_READ_MAX) return { size };
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, buffer, filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return { bytes: buffer.subarray(0, filled), size: filled };
  } finally {
    closeSync(fd);
  }
}

/** A counting semaphore. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
