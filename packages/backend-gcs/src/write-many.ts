import {
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  writeManyWith,
} from '@trove/core/backend';
import type { GcsContext } from './context.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapGcsError } from './map-error.js';
import { writeBytes, writeFile } from './write.js';

/** Bytes of one-request bodies over 1 MiB (up to `chunkSize` each) held at once. */
const BUFFER_BUDGET = 64 * 1024 * 1024;

/**
 * Stores many local files (a directory artifact) with the toolkit's loop: one-request uploads,
 * create-only (`ifGenerationMatch: 0`) with their md5 declared so GCS checks every byte, one
 * listing per parent prefix to skip objects already there; files larger than `chunkSize` go
 * through resumable sessions, one at a time (two chunks in memory).
 */
export function writeManyObjects(
  ctx: GcsContext,
  source: WriteManySource,
  options: WriteManyOptions,
): Promise<WriteManyResult> {
  return writeManyWith(
    {
      backend: BACKEND,
      objectConcurrency: ctx.options.objectConcurrency,
      oneRequestMax: ctx.options.chunkSize,
      bufferBudget: BUFFER_BUDGET,
      putBytes: (key, bytes, write) => writeBytes(ctx, key, bytes, write),
      writeFile: (key, path, write) => writeFile(ctx, key, path, write),
      exists: async (key, signal) => (await headObject(ctx, key, signal)) !== undefined,
      list: (prefix, signal) => listObjects(ctx, prefix, undefined, signal),
      mapError: (error, key) => mapGcsError(error, { bucket: ctx.bucket.name, key }),
    },
    source,
    options,
  );
}
