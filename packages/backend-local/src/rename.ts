import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type CopyOptions,
  notFound,
  type ObjectStat,
  preconditionFailed,
} from '@trove/core/backend';
import { commitCreate } from './commit.js';
import { KIND } from './context.js';
import { headObject, statObject } from './head.js';
import { rethrow } from './map-error.js';

/**
 * Moves an object file. With `ifNoneMatch`: link() to the new name (atomic, create-only), then
 * unlink the old one; otherwise a plain rename (atomic for readers).
 */
export async function renameObject(
  source: { path: string; key: string },
  dest: { path: string; key: string },
  options: CopyOptions,
): Promise<ObjectStat> {
  await statObject(source.path, source.key);
  if (source.key === dest.key) {
    if (options.ifNoneMatch === '*') throw preconditionFailed(KIND, dest.key);
    return statObject(dest.path, dest.key);
  }
  try {
    await mkdir(dirname(dest.path), { recursive: true });
    if (options.ifNoneMatch === '*')
      await commitCreate(source.path, { key: dest.key, path: dest.path, signal: options.signal });
    else await rename(source.path, dest.path);
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' &&
      !(await headObject(source.path, source.key))
    )
      throw notFound(KIND, source.key);
    rethrow(err, dest.key, 'write');
  }
  return statObject(dest.path, dest.key);
}
