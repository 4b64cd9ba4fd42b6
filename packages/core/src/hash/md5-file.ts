import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mapFsError } from '../user-path-errors.js';

/** 1 MiB: fits the 2 MiB L2 cache; larger buffers made hashing slower on our machines. */
const HASH_CHUNK = 1 << 20;
/** Give the event loop a turn this often while hashing one large file. */
const YIELD_EVERY = 64;

let shared: Buffer | undefined;

/**
 * md5 (hex) of a file, read once in 1 MiB chunks into one reused buffer: the fastest way Node
 * has (a `readSync` loop beats `createReadStream` by ~17 %). Never holds the file in memory.
 */
export async function md5File(
  path: string,
  onProgress?: (bytes: number) => void,
): Promise<{ md5: string; size: number }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw mapFsError(err, path);
  }
  const buffer = shared ?? Buffer.allocUnsafe(HASH_CHUNK);
  shared = undefined; // a concurrent caller allocates its own
  try {
    if (!fstatSync(fd).isFile())
      throw mapFsError(Object.assign(new Error(), { code: 'EINVAL' }), path);
    const hash = createHash('md5');
    let size = 0;
    let chunks = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, HASH_CHUNK, null);
      if (n === 0) break;
      hash.update(n === HASH_CHUNK ? buffer : buffer.subarray(0, n));
      size += n;
      if (++chunks % YIELD_EVERY === 0) {
        onProgress?.(size);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    onProgress?.(size);
    return { md5: hash.digest('hex'), size };
  } catch (err) {
    throw mapFsError(err, path);
  } finally {
    closeSync(fd);
    shared = buffer;
  }
}
