/**
 * An upload body as pieces (S3 parts, Azure blocks) in order, with bounded memory: a piece read
 * from a file or cut from a stream lives in a buffer from a small pool, and `next()` waits for a
 * free buffer, so a source never reads further ahead than the uploads in flight (memory is
 * `slots × piece size` whatever the body's size). Bytes already in memory are cut into views.
 */
import { open } from 'node:fs/promises';
import type { UploadBody } from './write-body.js';

/** One piece of a body: `bytes` is valid until `release()`. */
export interface Piece {
  /** 0-based position of the piece in the body. */
  index: number;
  bytes: Buffer;
  /** Gives the buffer back to the pool (idempotent); the bytes must not be used afterwards. */
  release(): void;
}

export interface PieceSource {
  /** The next piece, or undefined at the end. */
  next(): Promise<Piece | undefined>;
  /** Releases the file handle or iterator (idempotent). */
  close(): Promise<void>;
}

/** Size of piece `index` of a stream, whose length is not known (sizes may only grow). */
export type StreamPieceSize = (index: number) => number;

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
      // Sizes only grow (StreamPieceSize), so a smaller free buffer is dropped, not kept.
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

  /** A piece of `length` bytes held in `buffer`, which `release()` gives back once. */
  piece(index: number, buffer: Buffer, length: number): Piece {
    let released = false;
    return {
      index,
      bytes: buffer.subarray(0, length),
      release: () => {
        if (released) return;
        released = true;
        this.release(buffer);
      },
    };
  }
}

/** Pieces read from a local file with positioned reads: the file is never held in memory. */
export async function filePieces(
  path: string,
  size: number,
  pieceSize: number,
  slots: number,
): Promise<PieceSource> {
  const handle = await open(path, 'r');
  const pool = new BufferPool(slots);
  let index = 0;
  let closed = false;
  return {
    async next() {
      const start = index * pieceSize;
      if (start >= size) return undefined;
      const length = Math.min(pieceSize, size - start);
      const buffer = await pool.acquire(pieceSize);
      let filled = 0;
      try {
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
          if (bytesRead === 0)
            throw Object.assign(new Error(`${path} became shorter while it was uploaded`), {
              code: 'ESHRUNK',
            });
          filled += bytesRead;
        }
      } catch (err) {
        pool.release(buffer);
        throw err;
      }
      return pool.piece(index++, buffer, length);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * Pieces cut from a stream of chunks of any size, copied into pooled buffers; `first` is what
 * was already taken from the iterator (to tell one request from an upload).
 */
export function streamPieces(
  iterator: AsyncIterator<Uint8Array>,
  sizeOf: StreamPieceSize,
  slots: number,
  first?: Uint8Array,
): PieceSource {
  const pool = new BufferPool(slots);
  let carry: Uint8Array | undefined = first;
  let done = false;
  let index = 0;
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
      const size = sizeOf(index);
      const buffer = await pool.acquire(size);
      let filled: number;
      try {
        filled = await fill(buffer.length === size ? buffer : buffer.subarray(0, size));
      } catch (err) {
        pool.release(buffer);
        throw err;
      }
      if (filled === 0) {
        pool.release(buffer);
        return undefined;
      }
      return pool.piece(index++, buffer, filled);
    },
    async close() {
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    },
  };
}

/** Pieces that are views of bytes already in memory (no copies, no pool). */
export function bytesPieces(bytes: Buffer, pieceSize: number): PieceSource {
  let index = 0;
  return {
    async next() {
      const start = index * pieceSize;
      if (start >= bytes.length) return undefined;
      return { index: index++, bytes: bytes.subarray(start, start + pieceSize), release() {} };
    },
    async close() {},
  };
}

/**
 * The pieces of an upload body: `pieceSize` for bytes and files, `streamSize` (default the
 * same) for a stream, and `slots` pooled buffers for files and streams.
 */
export async function bodyPieces(
  body: UploadBody,
  pieceSize: number,
  slots: number,
  streamSize: StreamPieceSize = () => pieceSize,
): Promise<PieceSource> {
  if (body.kind === 'bytes') return bytesPieces(body.bytes, pieceSize);
  if (body.kind === 'file') return filePieces(body.path, body.size, pieceSize, slots);
  return streamPieces(body.rest, streamSize, slots, body.head);
}
