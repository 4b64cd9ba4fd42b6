import { stat, unlink } from 'node:fs/promises';
import { mapLimit } from '@trove/core/backend';
import { rethrow } from './map-error.js';

const DELETE_CONCURRENCY = 32;

/** Removes an object file; absent (or a folder where the key would be) is already deleted. */
export async function deleteObject(path: string, key: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
    // macOS says EPERM for unlink() of a folder: a folder is not an object, so nothing to do.
    if (code === 'EPERM' && (await stat(path).catch(() => undefined))?.isDirectory()) return;
    rethrow(err, key, 'write');
  }
}

export async function deleteObjects(
  items: readonly { path: string; key: string }[],
  signal: AbortSignal | undefined,
): Promise<void> {
  await mapLimit(items, DELETE_CONCURRENCY, (item) => {
    signal?.throwIfAborted();
    return deleteObject(item.path, item.key);
  });
}
