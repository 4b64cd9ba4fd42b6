import type { WriteOptions } from '@trove/core/backend';
import { type PieceUpload, pieceUpload, type UploadBody } from '@trove/object-store';
import type { AzureContext } from '../context.js';
import { blockSizeFor } from '../options.js';

/**
 * The blocks of a body, in order: core's pooled pieces (memory is `(concurrency + 1) ×
 * blockSize` whatever the body's size), block `index` being piece `index`. Bytes, files and
 * streams of a declared size take blocks of `max(blockSize, size / 50,000)`; other streams
 * blocks of `blockSize`.
 */
export function blocksOf(
  ctx: AzureContext,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): PieceUpload {
  return pieceUpload(key, body, options, ctx.options, {
    min: ctx.options.blockSize,
    sizeFor: blockSizeFor,
  });
}
