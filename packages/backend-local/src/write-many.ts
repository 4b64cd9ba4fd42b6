import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WriteManyOptions, WriteManyResult, WriteManySource } from '@trove/core/backend';
import { collectBatches, TroveError, validateKey, writeManyFailure } from '@trove/core/backend';
import { KIND } from './context.js';
import { mapFsError } from './map-error.js';
import { keyPath } from './paths.js';
import {
  type BatchFailure,
  type BatchItem,
  type BatchResult,
  type BatchState,
  writeBatch,
} from './write-batch.js';

/** Below this many items, threads cost more than they save: the loop runs on this thread. */
export const INLINE_MAX_ITEMS = 500;
const MAX_WORKERS = 2;
const BATCH_SIZE = 256;
/** Batches queued per worker, so a worker never waits for the next one. */
const IN_FLIGHT_PER_WORKER = 2;
const READ_BUFFER = 1 << 20;

/** Source of each worker: the same `writeBatch` function, answering one message per batch. */
const WORKER_SOURCE = `
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const writeBatch = ${writeBatch.toString()};
const state = { ...workerData, buffer: Buffer.allocUnsafe(workerData.bufferSize), counter: 0 };
const md5 = () => createHash('md5');
parentPort.on('message', ({ id, items }) => {
  parentPort.postMessage({ id, result: writeBatch(fs, md5, items, state) });
});
`;

export interface WriteManyConfig {
  root: string;
  fsync: boolean;
}

/**
 * Stores many local files: the folders are created once up front, then batches of items go to
 * two worker threads, each running a synchronous copy loop (for many small files the fastest
 * thing Node can do: promise-based fs costs ~4× more per file). Items whose object exists are
 * skipped. Failed items do not stop the others; the first failure is thrown at the end.
 */
export async function writeMany(
  source: WriteManySource,
  config: WriteManyConfig,
  options: WriteManyOptions = {},
): Promise<WriteManyResult> {
  // Batches still arriving (a directory being hashed) are waited for: hashing and copying use
  // the same cores here, so starting early gains nothing, and one pass keeps the threaded path.
  const items = await collectBatches(source);
  for (const item of items) validateKey(item.key, 'local');
  options.signal?.throwIfAborted();
  const batchItems: BatchItem[] = items.map((item) => {
    const entry: BatchItem = {
      key: item.key,
      path: item.path,
      dest: keyPath(config.root, item.key),
    };
    if (item.md5 !== undefined) entry.md5 = item.md5;
    return entry;
  });
  makeFolders(batchItems);
  const total: BatchResult = { written: 0, skipped: 0, bytes: 0, failures: [] };
  let done = 0;
  const add = (result: BatchResult, count: number): void => {
    total.written += result.written;
    total.skipped += result.skipped;
    total.bytes += result.bytes;
    total.failures.push(...result.failures);
    done += count;
    options.onProgress?.(done, total.bytes);
  };
  const batches: BatchItem[][] = [];
  for (let i = 0; i < batchItems.length; i += BATCH_SIZE)
    batches.push(batchItems.slice(i, i + BATCH_SIZE));
  const chmod = (process.umask() & 0o444) !== 0;
  if (batchItems.length < INLINE_MAX_ITEMS) {
    const state: BatchState = {
      buffer: Buffer.allocUnsafe(READ_BUFFER),
      tag: tag(),
      counter: 0,
      chmod,
      fsync: config.fsync,
    };
    for (const batch of batches) {
      options.signal?.throwIfAborted();
      add(
        writeBatch(fs, () => createHash('md5'), batch, state),
        batch.length,
      );
    }
  } else {
    await runOnWorkers(batches, { chmod, fsync: config.fsync }, add, options.signal);
  }
  if (total.failures.length > 0) throw failureError(total, items.length);
  return { written: total.written, skipped: total.skipped, bytes: total.bytes };
}

function makeFolders(items: readonly BatchItem[]): void {
  const folders = new Set<string>();
  for (const item of items) folders.add(dirname(item.dest));
  for (const folder of folders) {
    try {
      fs.mkdirSync(folder, { recursive: true });
    } catch (err) {
      const item = items.find((it) => dirname(it.dest) === folder);
      throw mapFsError(err, item?.key, 'write');
    }
  }
}

function tag(): string {
  return randomBytes(6).toString('hex');
}

async function runOnWorkers(
  batches: readonly BatchItem[][],
  flags: { chmod: boolean; fsync: boolean },
  add: (result: BatchResult, count: number) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const count = Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));
  const workers = Array.from(
    { length: count },
    () =>
      new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ...flags, tag: tag(), bufferSize: READ_BUFFER },
      }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let inFlight = 0;
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const feed = (worker: Worker): void => {
        if (failed) return;
        if (signal?.aborted) {
          if (inFlight === 0) fail(signal.reason);
          return;
        }
        if (next >= batches.length) {
          if (inFlight === 0) resolve();
          return;
        }
        const id = next++;
        inFlight++;
        worker.postMessage({ id, items: batches[id] });
      };
      for (const worker of workers) {
        worker.on('message', ({ id, result }: { id: number; result: BatchResult }) => {
          inFlight--;
          add(result, (batches[id] as BatchItem[]).length);
          feed(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`A writeMany worker exited with code ${code}.`));
        });
        for (let i = 0; i < IN_FLIGHT_PER_WORKER; i++) feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function failureError(total: BatchResult, count: number): TroveError {
  const first = total.failures[0] as BatchFailure;
  const error =
    first.code === 'CORRUPT'
      ? new TroveError('CORRUPT', first.message, { backend: KIND, key: first.key })
      : mapFsError(
          Object.assign(new Error(first.message), { code: first.code, path: first.path }),
          first.key,
          'write',
        );
  return writeManyFailure(KIND, { key: first.key, error }, total.failures.length, count, total);
}
