import {
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  writeManyWith,
} from '@trove/core/backend';
import type { AzureContext } from './context.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapAzureError } from './map-error.js';
import { putBlob, writeFile } from './write.js';

/**
 * Stores many local files (a directory artifact) with the toolkit's loop: Put Blobs, create-only
 * (`If-None-Match: *`) with their Content-MD5 so the service checks every byte, one listing per
 * parent prefix to skip blobs already there (a refused create, 409 BlobAlreadyExists, counts as
 * skipped too); files over one block are block uploads, one at a time. The bytes buffered at
 * once are bounded by `blockSize × concurrency`.
 */
export function writeManyObjects(
  ctx: AzureContext,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  return writeManyWith(
    {
      backend: BACKEND,
      objectConcurrency: ctx.options.objectConcurrency,
      oneRequestMax: ctx.options.blockSize,
      bufferBudget: ctx.options.blockSize * ctx.options.concurrency,
      putBytes: (key, bytes, write) => putBlob(ctx, key, bytes, write),
      writeFile: (key, path, write) => writeFile(ctx, key, path, write),
      exists: async (key, signal) => (await headObject(ctx, key, signal)) !== undefined,
      list: (prefix, signal) => listObjects(ctx, prefix, undefined, signal),
      mapError: (error, key) => mapAzureError(error, { container: ctx.options.container, key }),
    },
    source,
    options,
  );
}
