import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, sep } from 'node:path';
import { RESERVED_SEGMENT_PREFIX } from '@trove/core';

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

/**
 * Compares two strings in UTF-8 byte order (= code point order) without encoding them. UTF-16
 * order differs only where a surrogate meets a unit in U+E000–U+FFFF; remapping fixes that.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
      if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
      return x - y;
    }
  }
  return a.length - b.length;
}
