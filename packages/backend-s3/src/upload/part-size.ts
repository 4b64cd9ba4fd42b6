/**
 * S3's multipart limits, and the part sizes trove picks within them. S3 allows at most 10,000
 * parts of 5 MiB to 5 GiB each (the last part may be smaller), so a fixed part size caps the
 * object size: 8 MiB parts stop at 78 GiB, which is how other tools fail on big checkpoints.
 */

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** Parts aimed for at most: 10% under the limit, so the last part never has to be squeezed in. */
const TARGET_PARTS = 9_000;
/** For a stream of unknown length, the part size doubles after each run of this many parts. */
const PARTS_PER_SIZE_STEP = 1_000;

/** The largest object a multipart upload can hold. */
export const MAX_OBJECT_SIZE = MAX_PARTS * MAX_PART_SIZE;

/**
 * Part size for an object of known size: `max(minimum, ceil(size / 9000))` rounded up to a whole
 * MiB, so an object of any size S3 accepts takes at most 9,000 parts.
 *
 * @example partSizeFor(50e9, 8 * MIB) // 8 MiB → 5,961 parts
 * @example partSizeFor(800e9, 8 * MIB) // 85 MiB → 8,976 parts
 */
export function partSizeFor(size: number, minimum: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Invalid object size ${size}`);
  if (size > MAX_OBJECT_SIZE) {
    throw new RangeError(`${size} bytes is more than one S3 object can hold (${MAX_OBJECT_SIZE})`);
  }
  const wanted = Math.max(minimum, MIN_PART_SIZE, Math.ceil(size / TARGET_PARTS));
  return Math.min(MAX_PART_SIZE, Math.ceil(wanted / MIB) * MIB);
}

/**
 * Size of part `partNumber` (1-based) of a stream whose length is not known in advance: `base`
 * for the first 1,000 parts, then twice that for the next 1,000, and so on up to 5 GiB. With an
 * 8 MiB base, 10,000 parts hold about 8 TiB; memory grows only for streams that long.
 */
export function streamPartSize(partNumber: number, base: number): number {
  const step = Math.floor((partNumber - 1) / PARTS_PER_SIZE_STEP);
  return Math.min(MAX_PART_SIZE, Math.max(base, MIN_PART_SIZE) * 2 ** step);
}

/** How many parts an object of `size` bytes takes with parts of `partSize` (at least one). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}
