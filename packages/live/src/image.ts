/**
 * DVCLive's `log_image`: `<dir>/plots/images/<name>`, the name ending in `.png`, `.jpg`,
 * `.jpeg` or `.gif`. A value is encoded image bytes, a path to an image file (streamed, never
 * read whole), or raw RGBA pixels, encoded as PNG with pngjs. DVCLive re-encodes every image
 * with Pillow; trove keeps the given bytes (same pixels for PNG and GIF, no second JPEG loss),
 * so only the pixels, not the bytes, match DVCLive's.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { TroveError } from '@trove/core';
import { mapFsError } from '@trove/core/dialect';

/** Raw pixels, 4 bytes (R, G, B, A) per pixel, row by row. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export type ImageValue = Uint8Array | string | RgbaPixels;

const SUFFIXES = ['.jpg', '.jpeg', '.gif', '.png'];
type Format = 'png' | 'jpeg' | 'gif';

function formatOfName(name: string): Format {
  const ext = extname(name);
  return ext === '.png' ? 'png' : ext === '.gif' ? 'gif' : 'jpeg';
}

function sniff(head: Uint8Array): Format | undefined {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d)
    return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'gif';
  return undefined;
}

function isPixels(v: unknown): v is RgbaPixels {
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Uint8Array) &&
    'width' in v &&
    'height' in v &&
    'data' in v
  );
}

export interface PreparedImage {
  /** The name after DVCLive's rule (a path's suffix added when the name has none). */
  name: string;
  format: Format;
  /** Writes the image to `file` atomically. */
  write(file: string): Promise<void>;
}

/** Checks everything about an image before anything is written. */
export function prepareImage(name: unknown, value: unknown): PreparedImage {
  if (typeof name !== 'string' || name === '') {
    throw new TroveError('INVALID_NAME', 'An image name must be a non-empty string.');
  }
  let finalName = name;
  if (typeof value === 'string') {
    const suffix = extname(value);
    if (extname(name) === '' && SUFFIXES.includes(suffix)) finalName = `${name}${suffix}`;
  }
  if (!SUFFIXES.includes(extname(finalName)) || basename(finalName) === extname(finalName)) {
    throw new TroveError('INVALID_NAME', `Cannot log image with name '${finalName}'.`, {
      hint: 'An image name ends in .png, .jpg, .jpeg or .gif.',
    });
  }
  const want = formatOfName(finalName);
  const mismatch = (got: Format): TroveError =>
    new TroveError(
      'INVALID_ARGUMENT',
      `Image '${finalName}' is named as ${want.toUpperCase()} but holds ${got.toUpperCase()}.`,
      { hint: `Name it with the .${got === 'jpeg' ? 'jpg' : got} extension.` },
    );
  if (value instanceof Uint8Array) {
    const got = sniff(value);
    if (!got) throw notImage(finalName);
    if (got !== want) throw mismatch(got);
    const bytes = value;
    return { name: finalName, format: got, write: async (file) => writeAtomic(file, bytes) };
  }
  if (typeof value === 'string') {
    const head = readHead(value);
    const got = sniff(head);
    if (!got) throw notImage(value);
    if (got !== want) throw mismatch(got);
    return {
      name: finalName,
      format: got,
      write: async (file) => writeAtomic(file, undefined, value),
    };
  }
  if (isPixels(value)) {
    const { width, height, data } = value;
    if (
      !Number.isSafeInteger(width) ||
      !Number.isSafeInteger(height) ||
      width < 1 ||
      height < 1 ||
      !(data instanceof Uint8Array || data instanceof Uint8ClampedArray) ||
      data.length !== width * height * 4
    ) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        `Pixels of '${finalName}' must be width × height × 4 RGBA bytes.`,
      );
    }
    if (want !== 'png') {
      throw new TroveError(
        'INVALID_NAME',
        `Raw pixels are encoded as PNG: name '${finalName}' .png.`,
      );
    }
    return {
      name: finalName,
      format: 'png',
      write: async (file) => {
        const { PNG } = (await import('pngjs')).default;
        const png = new PNG({ width, height });
        png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        writeAtomic(file, PNG.sync.write(png));
      },
    };
  }
  throw new TroveError(
    'INVALID_ARGUMENT',
    `Image '${finalName}' must be image bytes, a path, or RGBA pixels.`,
  );
}

function notImage(what: string): TroveError {
  return new TroveError('INVALID_ARTIFACT', `${what} is not a PNG, JPEG or GIF image.`);
}

function readHead(path: string): Uint8Array {
  try {
    if (!statSync(path).isFile()) throw new TroveError('INVALID_ARTIFACT', `Not a file: ${path}`);
    const fd = openSync(path, 'r');
    try {
      const head = new Uint8Array(16);
      const n = readSync(fd, head, 0, 16, 0);
      return head.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw mapFsError(err, path);
  }
}

function writeAtomic(file: string, bytes: Uint8Array | undefined, from?: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (bytes) writeFileSync(tmp, bytes, { flag: 'wx' });
    else copyFileSync(from as string, tmp);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw mapFsError(err, file);
  }
}
