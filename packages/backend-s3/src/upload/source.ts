import type { WriteOptions } from '@trove/core/backend';
import { type PieceUpload, pieceUpload, type UploadBody } from '@trove/object-store';
import type { S3Context } from '../context.js';
import { partSizeFor, streamPartSize } from './part-size.js';

/**
 * Where the parts of a multipart upload come from, in order: core's pooled pieces (memory is
 * `(concurrency + 1) × partSize` whatever the object's size), part `n` being piece `n - 1`.
 * Bytes and files take parts of `max(partSize, size / 9000)`; a stream's parts grow along
 * `streamPartSize`, since its length is not known.
 */
export function partsOf(
  ctx: S3Context,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): PieceUpload {
  return pieceUpload(key, body, options, ctx.options, {
    min: ctx.options.partSize,
    sizeFor: partSizeFor,
    streamSize: (index, partSize) => streamPartSize(index + 1, partSize),
  });
}

/** The S3 part number of a piece. */
export function partNumber(piece: { index: number }): number {
  return piece.index + 1;
}
