import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TroveError } from '../errors.js';
import { mapFsError } from '../user-path-errors.js';
import { md5File } from './md5-file.js';

/**
 * Hashes many files with every core. Each worker runs a synchronous read+md5 loop: on warm data
 * that is ~4× faster per file than the promise API, and two such workers reach ~157k small
 * files/s here (perf-limits.md §3). The worker is an inline script (`eval`) so it runs the same
 * from `src` under vitest and from `dist`.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const CHUNK = 1 << 20;
const buffer = Buffer.allocUnsafe(CHUNK);
parentPort.on('message', ({ id, paths }) => {
  let out = '';
  let bytes = 0;
  for (const path of paths) {
    let fd;
    try {
      fd = fs.openSync(path, 'r');
      const hash = createHash('md5');
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, CHUNK, null);
        if (n === 0) break;
        hash.update(n === CHUNK ? buffer : buffer.subarray(0, n));
        bytes += n;
      }
      out += hash.digest('hex');
    } catch (err) {
      parentPort.postMessage({ id, error: { code: err.code, message: err.message, path } });
      return;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  parentPort.postMessage({ id, md5s: out, bytes });
});
`;

/** Below this many files, or bytes, threads cost more than they save. */
const MIN_FILES_FOR_WORKERS = 512;
const MIN_BYTES_FOR_WORKERS = 256 << 20;
const BATCH_FILES = 1024;
const BATCH_BYTES = 64 << 20;

export interface HashManyOptions {
  /** Called with (files done, bytes done). */
  onProgress?: (files: number, bytes: number) => void;
  /** Number of threads; defaults to the number of cores. */
  threads?: number;
  /**
   * Called as results come in, in no particular order: `md5s` are those of
   * `paths[start … start + md5s.length - 1]`. Lets a caller store files while others hash.
   */
  onBatch?: (start: number, md5s: readonly string[]) => void;
  /** Stops hashing (no new file or batch starts); the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The single-thread path reports its results in batches of this many files. */
const INLINE_BATCH_FILES = 256;

/** md5 (hex) of each file, in the order given. `sizes` lets batches balance by bytes. */
export async function hashFiles(
  paths: readonly string[],
  sizes: readonly number[],
  options: HashManyOptions = {},
): Promise<string[]> {
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const threads = Math.max(1, options.threads ?? availableParallelism());
  if (
    threads === 1 ||
    paths.length < 2 ||
    (paths.length < MIN_FILES_FOR_WORKERS && totalBytes < MIN_BYTES_FOR_WORKERS)
  ) {
    const out: string[] = [];
    let bytes = 0;
    let reported = 0;
    for (const [i, path] of paths.entries()) {
      options.signal?.throwIfAborted();
      const r = await md5File(path);
      out.push(r.md5);
      bytes += r.size;
      options.onProgress?.(i + 1, bytes);
      if (out.length - reported === INLINE_BATCH_FILES || i === paths.length - 1) {
        options.onBatch?.(reported, out.slice(reported));
        reported = out.length;
      }
    }
    return out;
  }
  return hashInWorkers(paths, sizes, Math.min(threads, paths.length), options);
}

async function hashInWorkers(
  paths: readonly string[],
  sizes: readonly number[],
  threads: number,
  options: HashManyOptions,
): Promise<string[]> {
  const batches: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < paths.length; ) {
    let end = start;
    let bytes = 0;
    while (
      end < paths.length &&
      end - start < BATCH_FILES &&
      (bytes < BATCH_BYTES || end === start)
    ) {
      bytes += sizes[end] ?? 0;
      end++;
    }
    batches.push({ start, end });
    start = end;
  }
  const results: string[] = new Array(paths.length);
  let next = 0;
  let filesDone = 0;
  let bytesDone = 0;
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (options.signal?.aborted) {
                reject(options.signal.reason);
                return;
              }
              if (next >= batches.length) {
                resolve();
                return;
              }
              const id = next++;
              const batch = batches[id] as { start: number; end: number };
              worker.postMessage({ id, paths: paths.slice(batch.start, batch.end) });
            };
            worker.on(
              'message',
              (msg: {
                id: number;
                md5s?: string;
                bytes?: number;
                error?: { code?: string; message: string; path: string };
              }) => {
                if (msg.error) {
                  const err = Object.assign(new Error(msg.error.message), { code: msg.error.code });
                  return reject(mapFsError(err, msg.error.path));
                }
                const batch = batches[msg.id] as { start: number; end: number };
                const md5s = msg.md5s ?? '';
                for (let i = batch.start; i < batch.end; i++) {
                  const j = (i - batch.start) * 32;
                  results[i] = md5s.slice(j, j + 32);
                }
                options.onBatch?.(batch.start, results.slice(batch.start, batch.end));
                filesDone += batch.end - batch.start;
                bytesDone += msg.bytes ?? 0;
                options.onProgress?.(filesDone, bytesDone);
                send();
              },
            );
            worker.on('error', (err) =>
              reject(new TroveError('INTERNAL', 'A hashing thread failed.', { cause: err })),
            );
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
