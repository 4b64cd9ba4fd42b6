import { open } from 'node:fs/promises';

/** One chunk of a body: bytes from `offset`, and whether the body ends with them. */
interface Chunk {
  offset: number;
  bytes: Buffer;
  last: boolean;
}

/**
 * A body read chunk by chunk, in order. `at(offset)` gives the bytes from `offset` to the end of
 * the chunk holding it (a session that persisted part of a chunk continues mid-chunk). A file
 * source reads any offset; a stream source only the chunk it holds and the next one.
 */
export interface ChunkSource {
  /** Size of the whole body when known up front (files). */
  readonly size: number | undefined;
  at(offset: number): Promise<Chunk>;
  close(): Promise<void>;
}

/** A local file of `size` bytes, read with positioned reads into one reused buffer. */
export async function fileChunks(
  path: string,
  size: number,
  chunkSize: number,
): Promise<ChunkSource> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(Math.min(chunkSize, size));
  return {
    size,
    async at(offset) {
      const length = Math.min(chunkSize, size - offset);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) {
          throw Object.assign(new Error(`the file ${path} got shorter while it was uploaded`), {
            code: 'ESHRUNK',
          });
        }
        filled += bytesRead;
      }
      return { offset, bytes: buffer.subarray(0, length), last: offset + length === size };
    },
    close: () => handle.close(),
  };
}

/** Bytes in memory, as chunks that are views of them (no copies). */
export function bytesChunks(bytes: Buffer, chunkSize: number): ChunkSource {
  return {
    size: bytes.length,
    async at(offset) {
      const end = Math.min(bytes.length, offset + chunkSize);
      return { offset, bytes: bytes.subarray(offset, end), last: end === bytes.length };
    },
    async close() {},
  };
}

/**
 * A stream cut into chunks of exactly `chunkSize` bytes (the last may be shorter). One chunk is
 * read ahead, to know whether the current one is the last: two chunks in memory at most.
 */
export function streamChunks(
  iterator: AsyncIterator<Uint8Array>,
  chunkSize: number,
  first?: Buffer,
): ChunkSource {
  let pending: Buffer | undefined = first && first.length > 0 ? first : undefined;
  let ended = false;
  const fill = async (): Promise<Buffer | undefined> => {
    const parts: Buffer[] = [];
    let length = 0;
    if (pending) {
      parts.push(pending);
      length = pending.length;
      pending = undefined;
    }
    while (length < chunkSize && !ended) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      const bytes = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      parts.push(bytes);
      length += bytes.length;
    }
    if (length === 0) return undefined;
    const all = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, length);
    if (all.length > chunkSize) pending = Buffer.from(all.subarray(chunkSize));
    return all.length > chunkSize ? all.subarray(0, chunkSize) : all;
  };
  let current: { offset: number; bytes: Buffer } | undefined;
  let ahead: Buffer | undefined;
  let started = false;
  return {
    size: undefined,
    async at(offset) {
      if (!started) {
        started = true;
        const bytes = (await fill()) ?? Buffer.alloc(0);
        current = { offset: 0, bytes };
        ahead = await fill();
      }
      while (current && offset >= current.offset + current.bytes.length && ahead) {
        current = { offset: current.offset + current.bytes.length, bytes: ahead };
        ahead = await fill();
      }
      if (!current || offset < current.offset || offset > current.offset + current.bytes.length)
        throw new Error(`stream chunk at ${offset} is no longer available`);
      return {
        offset,
        bytes: current.bytes.subarray(offset - current.offset),
        last: ahead === undefined,
      };
    },
    async close() {
      await iterator.return?.();
    },
  };
}
