/**
 * One object from one store to another, create-only: the bytes stream from the source's read
 * into the target's write with bounded memory, and a write given `md5` fails (`CORRUPT`, leaving
 * nothing behind) when the bytes that arrived have another one. Backends never show a partial
 * object, so a copy killed midway leaves nothing at the key and the next sync sends it whole.
 */
import type { StorageBackend } from '../backend/contract.js';
import { isTroveError } from '../errors.js';

export interface CopyKeyOptions {
  /** The md5 (hex) the bytes must have on arrival. */
  md5?: string;
  size?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/** Copies `fromKey` to `toKey` unless the target has it; resolves to whether it wrote. */
export async function copyKey(
  from: StorageBackend,
  fromKey: string,
  to: StorageBackend,
  toKey: string,
  options: CopyKeyOptions = {},
): Promise<boolean> {
  const { signal } = options;
  const { body, stat } = await from.read(fromKey, signal ? { signal } : {});
  try {
    await to.write(toKey, body, {
      ifNoneMatch: '*',
      size: options.size ?? stat.size,
      ...(options.md5 !== undefined ? { md5: options.md5 } : {}),
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return true;
  } catch (err) {
    if (isTroveError(err, 'PRECONDITION_FAILED')) return false;
    throw err;
  } finally {
    body.destroy();
  }
}
