import { open } from 'node:fs/promises';

/** One block of a body: `bytes` is valid until `release()`. */
interface Block {
  index: number;
  bytes: Buffer;
  release(): void;
}

/** Blocks of a body in order; `next()` waits while every buffer of the pool is in use. */
export interface BlockSource {
  next(): Promise<Block | undefined>;
  close(): Promise<void>;
}

/**
 * `slots` buffers of `size` bytes, allocated on first use and handed out again after release:
 * what bounds the memory of an upload, whatever the size of the body.
 */
class BufferPool {
  readonly #size: number;
  readonly #free: Buffer[] = [];
  #allocated = 0;
  readonly #slots: number;
  #waiting: ((b: Buffer) => void)[] = [];

  constructor(size: number, slots: number) {
    this.#size = size;
    this.#slots = slots;
  }

  async acquire(): Promise<Buffer> {
    const free = this.#free.pop();
    if (free) return free;
    if (this.#allocated < this.#slots) {
      this.#allocated++;
      return Buffer.allocUnsafe(this.#size);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(buffer: Buffer): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(buffer);
    else this.#free.push(buffer);
  }
}

/** Blocks that are views of bytes already in memory (no copy). */
export function bufferSource(bytes: Buffer, blockSize: number): BlockSource {
  let index = 0;
  return {
    async next() {
      const start = index * blockSize;
      if (start >= bytes.length && !(index === 0 && bytes.length === 0)) return undefined;
      const block = { index, bytes: bytes.subarray(start, start + blockSize), release() {} };
      index++;
      return block;
    },
    async close() {},
  };
}

/** Blocks read from a local file with positioned reads into `slots` pooled buffers. */
export async function fileSource(
  path: string,
  size: number,
  blockSize: number,
  slots: number,
): Promise<BlockSource> {
  const handle = await open(path, 'r');
  const pool = new BufferPool(blockSize, slots);
  let index = 0;
  return {
    async next() {
      const start = index * blockSize;
      if (start >= size) return undefined;
      const length = Math.min(blockSize, size - start);
      const buffer = await pool.acquire();
      let filled = 0;
      try {
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
      } catch (err) {
        pool.release(buffer);
        throw err;
      }
      if (filled < length) {
        pool.release(buffer);
        throw Object.assign(new Error(`${path} became shorter while it was uploaded`), {
          code: 'ESHRUNK',
        });
      }
      const block = {
        index,
        bytes: buffer.subarray(0, length),
        release: () => pool.release(buffer),
      };
      index++;
      return block;
    },
    async close() {
      await handle.close();
    },
  };
}

/**
 * Blocks cut from a stream of chunks of any size, copied into `slots` pooled buffers. `first`
 * holds the chunks already taken from the iterator (to decide between one request and blocks).
 */
export function iterableSource(
  iterator: AsyncIterator<Uint8Array>,
  blockSize: number,
  slots: number,
  first: Buffer[] = [],
): BlockSource {
  const pool = new BufferPool(blockSize, slots);
  const pending: Buffer[] = [...first];
  let ended = false;
  let index = 0;
  return {
    async next() {
      if (ended && pending.length === 0) return undefined;
      const buffer = await pool.acquire();
      let filled = 0;
      try {
        while (filled < blockSize) {
          let chunk = pending.shift();
          if (!chunk) {
            if (ended) break;
            const step = await iterator.next();
            if (step.done) {
              ended = true;
              break;
            }
            chunk = Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
          }
          const take = Math.min(chunk.length, blockSize - filled);
          chunk.copy(buffer, filled, 0, take);
          filled += take;
          if (take < chunk.length) pending.unshift(chunk.subarray(take));
        }
      } catch (err) {
        pool.release(buffer);
        throw err;
      }
      if (filled === 0 && index > 0) {
        pool.release(buffer);
        return undefined;
      }
      const block = {
        index,
        bytes: buffer.subarray(0, filled),
        release: () => pool.release(buffer),
      };
      index++;
      return block;
    },
    async close() {
      await iterator.return?.();
    },
  };
}
