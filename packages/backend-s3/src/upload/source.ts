import { open } from 'node:fs/promises';
import { streamPartSize } from './part-size.js';

/**
 * Where the parts of a multipart upload come from, in order. A part's bytes live in a buffer
 * from a small pool; `next()` waits for a free buffer, so a source never reads further ahead
 * than the uploads in flight: memory is `slots × partSize` whatever the object's size.
 */
export interface Part {
  number: number;
  bytes: Buffer;
  /** Gives the buffer back to the pool; the bytes must not be used afterwards. */
  release(): void;
}

export interface PartSource {
  /** The next part, or undefined at the end. */
  next(): Promise<Part | undefined>;
  /** Releases the file handle or iterator (idempotent). */
  close(): Promise<void>;
}

/** A fixed number of reusable buffers; `acquire` waits until one is free. */
class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiters: (() => void)[] = [];
  #count = 0;
  readonly #slots: number;

  constructor(slots: number) {
    this.#slots = Math.max(1, slots);
  }

  async acquire(size: number): Promise<Buffer> {
    for (;;) {
      // Sizes only grow (streamPartSize), so a smaller free buffer is dropped, not kept.
      while (this.#free.length > 0) {
        const buffer = this.#free.pop() as Buffer;
        if (buffer.length >= size) return buffer;
        this.#count--;
      }
      if (this.#count < this.#slots) {
        this.#count++;
        return Buffer.allocUnsafe(size);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  release(buffer: Buffer): void {
    this.#free.push(buffer);
    this.#waiters.shift()?.();
  }
}

function makePart(pool: BufferPool, number: number, buffer: Buffer, length: number): Part {
  let released = false;
  return {
    number,
    bytes: buffer.subarray(0, length),
    release() {
      if (released) return;
      released = true;
      pool.release(buffer);
    },
  };
}

/** Parts read from a local file with positioned reads: the file is never held in memory. */
export async function fileSource(
  path: string,
  size: number,
  partSize: number,
  slots: number,
): Promise<PartSource> {
  const handle = await open(path, 'r');
  const pool = new BufferPool(slots);
  let number = 0;
  let closed = false;
  return {
    async next() {
      const start = number * partSize;
      if (start >= size && !(size === 0 && number === 0)) return undefined;
      const length = Math.min(partSize, size - start);
      const buffer = await pool.acquire(partSize);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
        if (bytesRead === 0)
          throw Object.assign(new Error(`${path} became shorter while it was uploaded`), {
            code: 'ESHRUNK',
          });
        filled += bytesRead;
      }
      number++;
      return makePart(pool, number, buffer, length);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * Parts cut from a stream of chunks of any size, copied into pooled buffers. Part sizes grow
 * along `streamPartSize`, since the stream's length is not known.
 */
export function iterableSource(
  iterator: AsyncIterator<Uint8Array>,
  basePartSize: number,
  slots: number,
  first?: Uint8Array,
): PartSource {
  const pool = new BufferPool(slots);
  let carry: Uint8Array | undefined = first;
  let done = false;
  let number = 0;
  const fill = async (buffer: Buffer): Promise<number> => {
    let filled = 0;
    while (filled < buffer.length) {
      if (!carry || carry.length === 0) {
        if (done) break;
        const step = await iterator.next();
        if (step.done) {
          done = true;
          break;
        }
        carry = step.value;
      }
      const take = Math.min(carry.length, buffer.length - filled);
      buffer.set(take === carry.length ? carry : carry.subarray(0, take), filled);
      filled += take;
      carry = take === carry.length ? undefined : carry.subarray(take);
    }
    return filled;
  };
  return {
    async next() {
      if (done && (!carry || carry.length === 0)) return undefined;
      const size = streamPartSize(number + 1, basePartSize);
      const buffer = await pool.acquire(size);
      const filled = await fill(buffer.length === size ? buffer : buffer.subarray(0, size));
      if (filled === 0) {
        pool.release(buffer);
        return undefined;
      }
      number++;
      return makePart(pool, number, buffer, filled);
    },
    async close() {
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    },
  };
}

/** Parts that are views of bytes already in memory (no copies, no pool). */
export function bufferSource(bytes: Buffer, partSize: number): PartSource {
  let number = 0;
  return {
    async next() {
      const start = number * partSize;
      if (start >= bytes.length) return undefined;
      number++;
      return { number, bytes: bytes.subarray(start, start + partSize), release() {} };
    },
    async close() {},
  };
}
