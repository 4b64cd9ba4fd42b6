import {
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  writeManyWith,
} from '@trove/core/backend';
import type { S3Context } from './context.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapS3Error } from './map-error.js';
import { putObject, writeFile } from './write.js';

/**
 * Stores many local files (a directory artifact) with the toolkit's loop: PUTs with
 * `If-None-Match: *` and `Content-MD5`, one listing per parent prefix to skip objects already
 * there; files larger than one part go multipart, one at a time. The bytes buffered at once are
 * bounded by `partSize × concurrency`.
 */
export function writeManyObjects(
  ctx: S3Context,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  return writeManyWith(
    {
      backend: BACKEND,
      objectConcurrency: ctx.options.objectConcurrency,
      oneRequestMax: ctx.options.partSize,
      bufferBudget: ctx.options.partSize * ctx.options.concurrency,
      putBytes: (key, bytes, write) => putObject(ctx, key, bytes, write),
      writeFile: (key, path, write) => writeFile(ctx, key, path, write),
      exists: async (key, signal) => (await headObject(ctx, key, signal)) !== undefined,
      list: (prefix, signal) => listObjects(ctx, prefix, undefined, signal),
      mapError: (error, key) => mapS3Error(error, { bucket: ctx.bucket, key }),
    },
    source,
    options,
  );
}
