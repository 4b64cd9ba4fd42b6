/**
 * The md5 of a file that is being written out of order (a download in parallel ranges), computed
 * while it is written, on another thread: the file's contiguous written prefix is read back
 * (from the page cache) as the writer reports it, and hashed. The main thread is left to the
 * sockets and the writes: with the hash beside them a 1 GiB download from MinIO took 2.6–2.9 s
 * here, with it on the main thread 3.8–4.2 s (its md5 alone is 1.3 s of CPU, and nothing
 * overlapped it).
 *
 * One worker serves every download of the process, started with the first and unreferenced
 * while it has no job, so it never keeps a finished command alive. It is an inline script
 * (`eval`), as in hash-pool.ts, so it runs the same from `src` under vitest and from `dist`.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const CHUNK = 4 << 20;
const buffer = Buffer.allocUnsafe(CHUNK);
const jobs = new Map();
parentPort.on('message', ({ id, type, path, bytes }) => {
  const job = jobs.get(id);
  try {
    if (type === 'open') {
      jobs.set(id, { fd: fs.openSync(path, 'r'), path, hash: createHash('md5'), at: 0 });
      return;
    }
    if (!job) return;
    if (type === 'stop') {
      jobs.delete(id);
      fs.closeSync(job.fd);
      return;
    }
    while (job.at < bytes) {
      const n = fs.readSync(job.fd, buffer, 0, Math.min(CHUNK, bytes - job.at), job.at);
      if (n === 0) throw new Error(job.path + ' is shorter than its written bytes');
      job.hash.update(buffer.subarray(0, n));
      job.at += n;
    }
    if (type === 'finish') {
      jobs.delete(id);
      fs.closeSync(job.fd);
      parentPort.postMessage({ id, md5: job.hash.digest('hex') });
    }
  } catch (err) {
    if (job) {
      jobs.delete(id);
      try { fs.closeSync(job.fd); } catch {}
    }
    parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
});
`;

export interface FollowedHash {
  /** The first `bytes` of the file are written: hash up to there. */
  advance(bytes: number): void;
  /** Every byte (`size` in all) is written: the md5. */
  finish(size: number): Promise<string>;
  /** Stops following (a failed download). */
  stop(): void;
}

interface Waiting {
  resolve(md5: string): void;
  reject(err: Error): void;
}

let worker: Worker | undefined;
let nextId = 0;
/** Jobs the worker has open; an error it reports is kept until the job's `finish`. */
const open = new Map<number, { waiting?: Waiting; error?: Error }>();

function hashWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.on('message', ({ id, md5, error }: { id: number; md5?: string; error?: string }) => {
    const job = open.get(id);
    if (!job) return;
    if (error === undefined && md5 !== undefined) {
      settle(id)?.resolve(md5);
    } else if (job.waiting) {
      settle(id)?.reject(new Error(error));
    } else {
      job.error = new Error(error);
    }
  });
  const fail = (err: Error) => {
    if (worker === started) worker = undefined;
    for (const [id, job] of open) {
      if (job.waiting) settle(id)?.reject(err);
      else job.error = err;
    }
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`The md5 thread stopped (exit code ${code}).`)));
  started.unref();
  worker = started;
  return started;
}

/** Forgets job `id` (the worker is unreferenced again when it was the last); its waiter. */
function settle(id: number): Waiting | undefined {
  const job = open.get(id);
  open.delete(id);
  if (open.size === 0) worker?.unref();
  return job?.waiting;
}

/** Starts hashing `path` as it is written (the file must exist). */
export function followHash(path: string): FollowedHash {
  const thread = hashWorker();
  const id = nextId++;
  open.set(id, {});
  thread.ref();
  thread.postMessage({ id, type: 'open', path });
  let goal = 0;
  let ended = false;
  return {
    advance(bytes) {
      if (ended || bytes <= goal) return;
      goal = bytes;
      thread.postMessage({ id, type: 'advance', bytes });
    },
    finish(size) {
      const job = open.get(id);
      ended = true;
      if (!job) return Promise.reject(new Error('The md5 thread stopped.'));
      if (job.error) {
        settle(id);
        return Promise.reject(job.error);
      }
      return new Promise<string>((resolve, reject) => {
        job.waiting = { resolve, reject };
        thread.postMessage({ id, type: 'finish', bytes: Math.max(goal, size) });
      });
    },
    stop() {
      if (ended) return;
      ended = true;
      if (open.has(id)) thread.postMessage({ id, type: 'stop' });
      settle(id);
    },
  };
}
