/**
 * The HTTP side of trove's byte ranges (`ReadOptions.range`: `end` exclusive), as object stores
 * speak it: the `Range` header, the ranges that read nothing (which services answer with 416,
 * so backends serve them from a stat), and the object's size from a `Content-Range` answer.
 */
import type { ReadOptions } from '@trove/core/backend';

type ByteRange = NonNullable<ReadOptions['range']>;

/** True for a range that reads nothing whatever the object (`end` at or before `start`). */
export function isEmptyRange(range: ByteRange | undefined): boolean {
  return range !== undefined && range.end !== undefined && range.end <= range.start;
}

/** The `Range` header for a range (`end` exclusive becomes HTTP's inclusive last byte). */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end === undefined ? '' : range.end - 1}`;
}

/**
 * The whole object's size from an answer to a read: the total of its `Content-Range` for a
 * range read (`bytes 0-9/1234`), else (or when that is missing) its `Content-Length`.
 */
export function sizeFromAnswer(
  range: ByteRange | undefined,
  contentRange: string | undefined,
  contentLength: number | undefined,
): number {
  const total = range
    ? Number(/\/(\d+)$/.exec(contentRange ?? '')?.[1] ?? Number.NaN)
    : contentLength;
  return total !== undefined && Number.isFinite(total) ? total : (contentLength ?? 0);
}
