import { TroveError } from '../errors.js';

/** Names starting with this are backends' temporary files; no key may use it. */
export const RESERVED_SEGMENT_PREFIX = '.trove-tmp';

/**
 * Keys are `/`-separated, relative, at most 1,024 bytes with segments of at most 255, with no
 * empty, `.` or `..` segments and no control characters.
 */
export function validateKey(key: string, backend?: string): string {
  const fail = (why: string): never => {
    throw new TroveError('INVALID_KEY', `Invalid store key ${JSON.stringify(key)}: ${why}.`, {
      backend,
      key,
    });
  };
  if (typeof key !== 'string' || key.length === 0) fail('it is empty');
  if (Buffer.byteLength(key) > 1024) fail('it is longer than 1024 bytes');
  if (key.startsWith('/')) fail('it starts with "/"');
  if (key.endsWith('/')) fail('it ends with "/"');
  if (key.includes('\\')) fail('it contains a backslash');
  if (hasControlCharacter(key)) fail('it contains a control character');
  for (const segment of key.split('/')) {
    if (segment === '') fail('it has an empty segment ("//")');
    if (segment === '.' || segment === '..') fail(`it has a "${segment}" segment`);
    // The portable limit: a file name on the local store, and on DVC's remotes.
    if (Buffer.byteLength(segment) > 255) fail('a segment is longer than 255 bytes');
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX))
      fail(`"${RESERVED_SEGMENT_PREFIX}" is reserved`);
  }
  return key;
}

/** A list prefix is either empty or a key prefix: same rules, but it may end with "/". */
export function validatePrefix(prefix: string, backend?: string): string {
  if (prefix === '') return prefix;
  validateKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, backend);
  return prefix;
}

/** Join key parts with "/", ignoring empty parts. */
export function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/**
 * Compares keys in ascending UTF-8 byte order (= code point order), the order every backend
 * lists in, without encoding them. UTF-16 order differs only where a surrogate meets a unit in
 * U+E000–U+FFFF; remapping those units fixes that.
 */
export function compareKeys(a: string, b: string): number {
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

/** Whether `text` holds a control character (U+0000–U+001F, U+007F): no key or path may. */
export function hasControlCharacter(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return /[\u0000-\u001f\u007f]/.test(text);
}
