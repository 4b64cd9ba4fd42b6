import { createHash } from 'node:crypto';
import { type PieceSource, sendPieces } from '@trove/object-store';
import type { AzureContext } from '../context.js';
import { azureErrorCode, httpStatus } from '../map-error.js';

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
 * Stages every block of `source` not already in `existing`, `concurrency` at a time, each with
 * its Content-MD5 (which the service checks), and hashes the body in order (core's
 * `sendPieces`). Closes the source.
 */
export async function stageBlocks(
  ctx: AzureContext,
  key: string,
  uploadId: string,
  source: PieceSource,
  existing: Map<string, number>,
  request: { signal?: AbortSignal | undefined; onProgress?: ((bytes: number) => void) | undefined },
): Promise<{ ids: string[]; size: number; md5: string }> {
  const blob = ctx.conn.container.getBlockBlobClient(key);
  const sent = await sendPieces<string>(source, {
    concurrency: ctx.options.concurrency,
    held(block) {
      const id = blockId(uploadId, block.index);
      return existing.get(id) === block.bytes.length ? id : undefined;
    },
    async send(block) {
      const id = blockId(uploadId, block.index);
      const digest = createHash('md5').update(block.bytes).digest();
      await blob.stageBlock(id, block.bytes, block.bytes.length, {
        abortSignal: request.signal,
        transactionalContentMD5: digest,
      });
      return id;
    },
    onPiece(block, _id, reused, done) {
      ctx.onBlock?.({ key, uploadId, index: block.index, size: block.bytes.length, reused });
      request.onProgress?.(done);
    },
  });
  return { ids: sent.results, size: sent.size, md5: sent.md5 };
}
