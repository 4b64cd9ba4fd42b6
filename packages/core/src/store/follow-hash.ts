/**
 * The md5 of a file that is being written out of order (a download in parallel ranges), computed
 * while it is written: the file's contiguous written prefix is read back (from the page cache) as
 * the writer reports it, hashed, and, when asked, written to a second file (the read-through
 * cache's copy) in the same pass. The hash and the copy no longer come after the download, one
 * more read and one more copy of the whole file that nothing overlapped.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { writeFully } from '../fs/write-fully.js';

const CHUNK = 1024 * 1024;

export interface FollowedHash {
  /** The first `bytes` of the file are written: hash (and copy) up to there. */
  advance(bytes: number): void;
  /** Every byte (`size` in all) is written: the md5, and whether the copy holds them all. */
  finish(size: number): Promise<{ md5: string; copied: boolean }>;
  /** Stops following (a failed download); the copy's file, if any, is the caller's to remove. */
  stop(): Promise<void>;
}

/** Starts hashing `path` as it is written; with `copyTo`, also copies it there (a new file). */
export function followHash(path: string, copyTo?: string): FollowedHash {
  const hash = createHash('md5');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let copying = copyTo !== undefined;
  let at = 0;
  let goal = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const files = (async () => {
    const source = await open(path, 'r');
    let copy: FileHandle | undefined;
    if (copyTo !== undefined) copy = await open(copyTo, 'wx').catch(() => undefined);
    if (!copy) copying = false;
    return { source, copy };
  })();
  files.catch(() => undefined);
  const step = async () => {
    const { source, copy } = await files;
    while (at < goal && !stopped) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(CHUNK, goal - at), at);
      if (bytesRead === 0) throw new Error(`${path} is shorter than its written bytes`);
      const bytes = buffer.subarray(0, bytesRead);
      hash.update(bytes);
      if (copying && copy) {
        // A copy that cannot be written is dropped; it never fails the download.
        try {
          await writeFully(copy, [bytes], at);
        } catch {
          copying = false;
        }
      }
      at += bytesRead;
    }
  };
  const closeAll = async () => {
    const { source, copy } = await files;
    await source.close().catch(() => undefined);
    await copy?.close().catch(() => {
      copying = false;
    });
  };
  return {
    advance(bytes) {
      if (bytes <= goal) return;
      goal = bytes;
      running = running.then(step);
      running.catch(() => undefined);
    },
    async finish(size) {
      goal = Math.max(goal, size);
      running = running.then(step);
      try {
        await running;
      } finally {
        await closeAll();
      }
      return { md5: hash.digest('hex'), copied: copying };
    },
    async stop() {
      stopped = true;
      await running.catch(() => undefined);
      await closeAll().catch(() => undefined);
    },
  };
}
