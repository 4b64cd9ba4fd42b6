import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  compareKeys,
  mapLimit,
  TroveError,
  validateKey,
  type WriteManyItem,
  type WriteManyOptions,
  type WriteManyResult,
} from '@trove/core';
import { ByteBudget } from './concurrency.js';
import type { S3Context } from './context.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { isAbortError, mapS3Error } from './map-error.js';
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
 * (412 counts as skipped) and S3 checks every byte. Before that, each parent prefix
 * (`files/md5/ab/`) is listed once, which finds the objects already there with one request per
 * prefix instead of one HEAD per object. Files larger than one part go multipart, one at a time
 * (each is parallel inside). The bytes buffered at once are bounded by `partSize × concurrency`.
 * A failed item does not stop the others; the first failure is thrown at the end.
 */
export async function writeManyObjects(
  ctx: S3Context,
  items: readonly WriteManyItem[],
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  for (const item of items) validateKey(item.key, 's3');
  const result: WriteManyResult = { written: 0, skipped: 0, bytes: 0 };
  if (items.length === 0) return result;
  const present = await probeExisting(ctx, items, options.signal);
  const budget = new ByteBudget(ctx.options.partSize * ctx.options.concurrency);
  let largeQueue: Promise<unknown> = Promise.resolve();
  const failures: { key: string; error: unknown }[] = [];
  let done = 0;

  const store = async (item: WriteManyItem): Promise<boolean> => {
    if (present.get(item.key) === true) return false;
    const write = { md5: item.md5, ifNoneMatch: '*' as const, signal: options.signal };
    const small = readSmall(item.path);
    if (small) {
      const stored = await putObject(ctx, item.key, small, write);
      result.bytes += stored.size;
      return true;
    }
    const { size } = await stat(item.path);
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
      if (present.get(item.key) === undefined && (await headObject(ctx, item.key, options.signal)))
        return false;
      const stored = await writeFile(ctx, item.key, item.path, write);
      result.bytes += stored.size;
      return true;
    });
    largeQueue = turn.catch(() => {});
    return turn;
  };

  await mapLimit(items, ctx.options.objectConcurrency, async (item) => {
    try {
      if (await store(item)) result.written++;
      else result.skipped++;
    } catch (error) {
      if (isAbortError(error)) throw error;
      const mapped = mapS3Error(error, { bucket: ctx.bucket, key: item.key });
      if (mapped.code === 'PRECONDITION_FAILED') result.skipped++;
      else failures.push({ key: item.key, error: mapped });
    }
    options.onProgress?.(++done, result.bytes);
  });
  if (failures.length > 0) throw summarize(failures, items.length, result);
  return result;
}

/** The whole file when it is at most SYNC_READ_MAX bytes, else undefined. */
function readSmall(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SYNC_READ_MAX) return undefined;
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, buffer, filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * Which keys the bucket already has, from one listing per parent prefix (capped in pages, so a
 * huge prefix is not listed whole for a few keys). When the first prefixes hold none of the
 * keys, the rest are not listed. A key missing from the map is unknown.
 */
async function probeExisting(
  ctx: S3Context,
  items: readonly WriteManyItem[],
  signal: AbortSignal | undefined,
): Promise<Map<string, boolean>> {
  const known = new Map<string, boolean>();
  if (items.length < PROBE_MIN_ITEMS) return known;
  const groups = new Map<string, string[]>();
  for (const { key } of items) {
    const parent = key.slice(0, key.lastIndexOf('/') + 1);
    const group = groups.get(parent);
    if (group) group.push(key);
    else groups.set(parent, [key]);
  }
  const listed = [...groups].filter(([, keys]) => keys.length > 1);
  let probed = 0;
  let hits = 0;
  await mapLimit(listed, LIST_CONCURRENCY, async ([prefix, keys]) => {
    if (probed >= PROBE_SAMPLE && hits === 0) return;
    probed++;
    const wanted = new Set(keys);
    const maxEntries = Math.ceil(keys.length / ITEMS_PER_LIST_PAGE) * 1000;
    let seen = 0;
    let last: string | undefined;
    let complete = true;
    for await (const entry of listObjects(ctx, prefix, undefined, signal)) {
      if (wanted.has(entry.key)) {
        known.set(entry.key, true);
        hits++;
      }
      last = entry.key;
      if (++seen >= maxEntries) {
        complete = false;
        break;
      }
    }
    for (const key of keys) {
      if (known.has(key)) continue;
      if (complete || (last !== undefined && compareKeys(key, last) <= 0)) known.set(key, false);
    }
  });
  return known;
}

function summarize(
  failures: { key: string; error: unknown }[],
  count: number,
  result: WriteManyResult,
): TroveError {
  const first = failures[0] as { key: string; error: TroveError };
  const summary =
    `${failures.length} of ${count} files could not be stored ` +
    `(${result.written} written, ${result.skipped} already there)`;
  return new TroveError(first.error.code, `${summary}; first: ${first.error.message}`, {
    backend: 's3',
    key: first.key,
    retryable: first.error.retryable,
    hint: first.error.hint,
    cause: first.error,
  });
}
