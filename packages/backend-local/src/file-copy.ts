import type { Hash } from 'node:crypto';
import { constants, readSync, write } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Chunk size for large files: 1 MiB keeps md5's working set inside the L2 cache. */
export const CHUNK_SIZE = 1 << 20;

export interface CopyHashOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/**
 * Copies the regular file `source` into the temp file `dest` (already created, empty, open
 * read-write as `destFd`) and returns the md5 input length, feeding `hash` with the bytes of
 * `dest`, i.e. exactly what will be stored.
 *
 * The copy is the kernel's (`copyFile`: a reflink where the filesystem can, else
 * copy_file_range/sendfile), running in the threadpool. Meanwhile this thread hashes `dest`
 * right behind it with a synchronous read loop into one reused 1 MiB buffer (the fastest way to
 * hash in Node). The two overlap, memory stays bounded, and no byte crosses into JavaScript to
 * be written back: on this machine `write()` from a user buffer costs 2–4× the CPU of an
 * in-kernel copy, enough to make the write, not md5, the bottleneck of a ring of write() calls.
 */
export async function copyFileHashing(
  source: string,
  dest: string,
  destFd: number,
  hash: Hash,
  options: CopyHashOptions = {},
): Promise<number> {
  const copy = { done: false, failure: undefined as { error: unknown } | undefined };
  const copying = copyFile(source, dest, constants.COPYFILE_FICLONE).then(
    () => {
      copy.done = true;
    },
    (error: unknown) => {
      copy.done = true;
      copy.failure = { error };
    },
  );
  const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  let position = 0;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      // Read the flag first: once the copy is done, a read that returns nothing is the end.
      const finished = copy.done;
      const n = readSync(destFd, buffer, 0, CHUNK_SIZE, position);
      if (n > 0) {
        hash.update(n === CHUNK_SIZE ? buffer : buffer.subarray(0, n));
        position += n;
        options.onProgress?.(position);
      } else if (finished) {
        if (copy.failure) throw copy.failure.error;
        return position;
      } else {
        // Caught up with the copy (a cold source): let it get ahead.
        await sleep(1);
      }
    }
  } finally {
    // Never hand `dest` back (to be renamed or removed) while the copy still writes into it.
    await copying;
  }
}

/** Writes `length` bytes of `buffer` at `position`, looping over short writes. */
export function writeFully(
  fd: number,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      write(fd, buffer, done, length - done, position + done, (err, written) => {
        if (err) return reject(err);
        done += written;
        if (done < length) step();
        else resolve();
      });
    };
    if (length === 0) resolve();
    else step();
  });
}
