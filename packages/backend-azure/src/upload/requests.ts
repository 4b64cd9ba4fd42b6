import { createHash } from 'node:crypto';
import type { AzureContext } from '../context.js';
import { azureErrorCode, httpStatus } from '../map-error.js';
import type { BlockSource } from './source.js';

/** Block id `base64("<uploadId>-<index, 6 digits>")`: every id of one upload has the same length. */
function blockId(uploadId: string, index: number): string {
  return Buffer.from(`${uploadId}-${String(index).padStart(6, '0')}`).toString('base64');
}

/** The upload id (block-id prefix) of a block id. */
export function uploadIdOfBlock(id: string): string {
  const text = Buffer.from(id, 'base64').toString();
  return text.slice(0, text.lastIndexOf('-'));
}

/** The blob's uncommitted blocks (id → size); none when the blob or its container has none. */
export async function uncommittedBlocks(
  ctx: AzureContext,
  key: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, number>> {
  try {
    const list = await ctx.conn.container
      .getBlockBlobClient(key)
      .getBlockList('uncommitted', { abortSignal: signal });
    return new Map((list.uncommittedBlocks ?? []).map((b) => [b.name, b.size]));
  } catch (err) {
    if (httpStatus(err) === 404 && azureErrorCode(err) !== 'ContainerNotFound') return new Map();
    throw err;
  }
}

/**
 * Stages every block of `source` not already in `existing`, `concurrency` at a time, and hashes
 * the body in order. After the first failure no new block is read; the failure is thrown once
 * the blocks in flight have ended.
 */
export async function stageBlocks(
  ctx: AzureContext,
  key: string,
  uploadId: string,
  source: BlockSource,
  existing: Map<string, number>,
  request: { signal?: AbortSignal | undefined; onProgress?: ((bytes: number) => void) | undefined },
): Promise<{ ids: string[]; size: number; md5: string }> {
  const blob = ctx.conn.container.getBlockBlobClient(key);
  const hash = createHash('md5');
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let size = 0;
  let done = 0;
  const progress = (bytes: number): void => {
    done += bytes;
    request.onProgress?.(done);
  };
  try {
    for (;;) {
      if (failure) break;
      const block = await source.next();
      if (!block) break;
      const length = block.bytes.length;
      hash.update(block.bytes);
      size += length;
      const id = blockId(uploadId, block.index);
      ids.push(id);
      if (existing.get(id) === length) {
        block.release();
        ctx.onBlock?.({ key, uploadId, index: block.index, size: length, reused: true });
        progress(length);
        continue;
      }
      const digest = createHash('md5').update(block.bytes).digest();
      const staging = blob
        .stageBlock(id, block.bytes, length, {
          abortSignal: request.signal,
          transactionalContentMD5: digest,
        })
        .then(
          () => {
            ctx.onBlock?.({ key, uploadId, index: block.index, size: length, reused: false });
            progress(length);
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          block.release();
          inFlight.delete(staging);
        });
      inFlight.add(staging);
      while (inFlight.size >= ctx.options.concurrency && !failure) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    await Promise.all(inFlight);
    await source.close().catch(() => {});
  }
  if (failure) throw failure.error;
  return { ids, size, md5: hash.digest('hex') };
}
