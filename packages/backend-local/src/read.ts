import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type ReadResult, TroveError } from '@trove/core/backend';
import { toObjectStat } from './etag.js';
import { CHUNK_SIZE } from './file-copy.js';
import { rethrow } from './map-error.js';

/**
 * Opens the object at `path` for reading, whole or a byte range (`end` exclusive, clipped to
 * the size; an empty range gives an empty stream). The stat comes from the open handle, so it
 * describes the very version being read even if the key is overwritten meanwhile: a rename
 * replaces the name, not the inode this stream reads.
 */
export async function openObject(
  path: string,
  key: string,
  range: { start: number; end?: number } | undefined,
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    rethrow(err, key);
  }
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) {
      throw new TroveError('NOT_FOUND', `No object at ${JSON.stringify(key)}.`, {
        backend: 'local',
        key,
      });
    }
    const size = Number(st.size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size, size);
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(end) || end < 0) {
      throw new TroveError('INVALID_ARGUMENT', `Invalid range ${JSON.stringify(range)}.`, {
        backend: 'local',
        key,
      });
    }
    const stat = toObjectStat(key, st);
    if (start >= end) {
      await handle.close();
      return { stat, body: Readable.from([], { objectMode: false }) };
    }
    const body = handle.createReadStream({ start, end: end - 1, highWaterMark: CHUNK_SIZE });
    if (signal) {
      const abort = (): void => {
        body.destroy(signal.reason);
      };
      signal.addEventListener('abort', abort, { once: true });
      body.once('close', () => signal.removeEventListener('abort', abort));
    }
    return { stat, body };
  } catch (err) {
    await handle.close().catch(() => {});
    rethrow(err, key);
  }
}
