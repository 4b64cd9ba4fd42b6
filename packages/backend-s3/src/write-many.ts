import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  compareKeys,
  eachBatch,
  type ItemFailure,
  isAbortError,
  mapLimit,
  validateKey,
  type WriteManyItem,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  writeManyFailure,
} from '@trove/core/backend';
import { ByteBudget } from './concurrency.js';
import type { S3Context } from './context.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapS3Error } from './map-error.js';
import { putObject, readWhole, writeFile } from './write.js';

/** Below this many items, listing prefixes costs more than it can save. */
const PROBE_MIN_ITEMS = 16;
/** A prefix is listed for at most one page per this many wanted keys under it. */
const ITEMS_PER_LIST_PAGE = 8;
/**
 * Prefixes listed before giving up when none of them holds a wanted key: then the objects are
 * most likely all new (a first upload), and the conditional PUTs are cheaper than more listings.
 */
const PROBE_SAMPLE = 8;
const LIST_CONCURRENCY = 8;
/**
 * Files up to this size are read synchronously: for a 10 KiB file the four promise-based fs
 * calls cost more CPU than the read itself, and on a small machine that CPU is taken from the
 * server or the network. Memory stays bounded: `objectConcurrency` × 1 MiB.
 */
const SYNC_READ_MAX = 1 << 20;

/**
 * Stores many local files (a directory artifact): `objectConcurrency` PUTs in flight, each with
 * `If-None-Match: *` and `Content-MD5`, so an object the bucket already has is never replaced
 * (412 counts as skipped) and S3 checks every byte. Items may arrive in batches while a directory
 * is still being hashed: uploads start with the first batch. Each parent prefix
 * (`files/md5/ab/`) is listed once, which finds the objects already there with one request per
 * prefix instead of one HEAD per object. Files larger than one part go multipart, one at a time
 * (each is parallel inside). The bytes buffered at once are bounded by `partSize × concurrency`.
 * A failed item does not stop the others; the first failure is thrown at the end. A failing
 * batch source (or an abort) stops new items from starting, and its error is thrown.
 */
export async function writeManyObjects(
  ctx: S3Context,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  const result: WriteManyResult = { written: 0, skipped: 0, bytes: 0 };
  const probe = new ExistingProbe(ctx, options.signal);
  const budget = new ByteBudget(ctx.options.partSize * ctx.options.concurrency);
  let largeQueue: Promise<unknown> = Promise.resolve();
  const failures: ItemFailure[] = [];
  let done = 0;

  const store = async (item: WriteManyItem): Promise<boolean> => {
    if (probe.known(item.key) === true) return false;
    const write = { md5: item.md5, ifNoneMatch: '*' as const, signal: options.signal };
    const { bytes: small, size } = readSmall(item.path);
    if (small) {
      const stored = await putObject(ctx, item.key, small, write);
      result.bytes += stored.size;
      return true;
    }
    if (size <= ctx.options.partSize) {
      await budget.acquire(size);
      try {
        const stored = await putObject(ctx, item.key, await readWhole(item.path, size), write);
        result.bytes += stored.size;
        return true;
      } finally {
        budget.release(size);
      }
    }
    const turn = largeQueue.then(async () => {
      if (probe.known(item.key) === undefined && (await headObject(ctx, item.key, options.signal)))
        return false;
      const stored = await writeFile(ctx, item.key, item.path, write);
      result.bytes += stored.size;
      return true;
    });
    largeQueue = turn.catch(() => {});
    return turn;
  };

  // Items ready to send, filled by `feed` from the source, taken by the workers.
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
        for (const item of batch) validateKey(item.key, 's3');
        await probe.add(batch);
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
        const mapped = mapS3Error(error, { bucket: ctx.bucket, key: item.key });
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

/**
 * Which keys the bucket already has, from one listing per parent prefix (capped in pages, so a
 * huge prefix is not listed whole for a few keys), kept for the whole call so later batches
 * under a prefix already listed cost nothing. When the first prefixes hold none of the keys, the
 * rest are not listed: the objects are most likely all new (a first upload), and conditional
 * PUTs are cheaper than more listings. `known()` is undefined for a key the listings cannot tell.
 */
class ExistingProbe {
  readonly #ctx: S3Context;
  readonly #signal: AbortSignal | undefined;
  readonly #known = new Map<string, boolean>();
  /** Per listed prefix: the keys seen, and the last one when the listing stopped early. */
  readonly #listed = new Map<string, { keys: Set<string>; complete: boolean; last?: string }>();
  #items = 0;
  #probed = 0;
  #hits = 0;

  constructor(ctx: S3Context, signal: AbortSignal | undefined) {
    this.#ctx = ctx;
    this.#signal = signal;
  }

  known(key: string): boolean | undefined {
    return this.#known.get(key);
  }

  async add(items: readonly WriteManyItem[]): Promise<void> {
    this.#items += items.length;
    const groups = new Map<string, string[]>();
    for (const { key } of items) {
      const parent = key.slice(0, key.lastIndexOf('/') + 1);
      const listing = this.#listed.get(parent);
      if (listing) this.#resolve(key, listing);
      else {
        const group = groups.get(parent);
        if (group) group.push(key);
        else groups.set(parent, [key]);
      }
    }
    if (this.#items < PROBE_MIN_ITEMS) return;
    const toList = [...groups].filter(([, keys]) => keys.length > 1);
    await mapLimit(toList, LIST_CONCURRENCY, async ([prefix, keys]) => {
      if (this.#probed >= PROBE_SAMPLE && this.#hits === 0) return;
      this.#probed++;
      const listing = await this.#list(prefix, keys.length);
      this.#listed.set(prefix, listing);
      for (const key of keys) this.#resolve(key, listing);
    });
  }

  #resolve(key: string, listing: { keys: Set<string>; complete: boolean; last?: string }): void {
    if (listing.keys.has(key)) {
      this.#known.set(key, true);
      this.#hits++;
    } else if (
      listing.complete ||
      (listing.last !== undefined && compareKeys(key, listing.last) <= 0)
    ) {
      this.#known.set(key, false);
    }
  }

  async #list(
    prefix: string,
    wanted: number,
  ): Promise<{ keys: Set<string>; complete: boolean; last?: string }> {
    const maxEntries = Math.ceil(wanted / ITEMS_PER_LIST_PAGE) * 1000;
    const keys = new Set<string>();
    let last: string | undefined;
    for await (const entry of listObjects(this.#ctx, prefix, undefined, this.#signal)) {
      keys.add(entry.key);
      last = entry.key;
      if (keys.size >= maxEntries) return { keys, complete: false, last };
    }
    return { keys, complete: true };
  }
}
