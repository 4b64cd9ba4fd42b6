/**
 * Writes every byte of `chunks` at `at` in a file: one `writev`, and a short write finished
 * with plain writes (the OS may write less than asked).
 */
import type { FileHandle } from 'node:fs/promises';

export async function writeFully(file: FileHandle, chunks: Buffer[], at: number): Promise<void> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const first = (await file.writev(chunks, at)).bytesWritten;
  if (first === total) return;
  const rest = Buffer.concat(chunks).subarray(first);
  let done = 0;
  while (done < rest.length) {
    const { bytesWritten } = await file.write(rest, done, rest.length - done, at + first + done);
    done += bytesWritten;
  }
}
