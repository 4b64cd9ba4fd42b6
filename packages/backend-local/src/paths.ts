import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, sep } from 'node:path';
import { RESERVED_SEGMENT_PREFIX } from '@trove/core/backend';

/** Every name the backend creates for itself starts with this; `list` never shows them. */
export const TEMP_PREFIX: string = RESERVED_SEGMENT_PREFIX;

/** The file that holds `key` under `root`. Keys are validated first, so none escapes `root`. */
export function keyPath(root: string, key: string): string {
  return sep === '/' ? `${root}/${key}` : join(root, key);
}

/** A fresh temporary name beside `path`: `<dir>/.trove-tmp-<random>`. */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `${TEMP_PREFIX}-${randomBytes(8).toString('hex')}`);
}

/** The lock file of `path`: `<dir>/.trove-tmp-lock-<basename>` (hashed when the name is long). */
export function lockPathOf(path: string): string {
  let name = basename(path);
  if (Buffer.byteLength(name) > 200) name = `md5-${createHash('md5').update(name).digest('hex')}`;
  return join(dirname(path), `${TEMP_PREFIX}-lock-${name}`);
}
