import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Files up to this size are read synchronously by `readSmallFile`: for a 10 KiB file the four
 * promise-based fs calls cost more CPU than the read itself, and on a small machine that CPU is
 * taken from the server or the network.
 */
export const SMALL_FILE_MAX = 1 << 20;

/** The whole file when it is at most `max` bytes (read synchronously); its size either way. */
export function readSmallFile(
  path: string,
  max = SMALL_FILE_MAX,
): { bytes?: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > max) return { size };
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, buffer, filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return { bytes: buffer.subarray(0, filled), size: filled };
  } finally {
    closeSync(fd);
  }
}

/**
 * Exactly `size` bytes of a file, for a body sent in one request (a file that grew meanwhile is
 * cut where it was stat'ed; one that shrank gives what is there, and the md5 check catches it).
 */
export async function readFileBytes(path: string, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** A semaphore counted in bytes: `acquire(n)` waits until `n` more bytes fit in the budget. */
export class ByteBudget {
  #used = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async acquire(bytes: number): Promise<void> {
    // One item larger than the whole budget still runs, alone.
    while (this.#used > 0 && this.#used + bytes > this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
