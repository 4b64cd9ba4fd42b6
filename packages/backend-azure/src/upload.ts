import { createHash, randomBytes } from 'node:crypto';
import {
  type FileVersion,
  isAbortError,
  type ObjectStat,
  TroveError,
  UploadJournal,
} from '@trove/core/backend';
import type { BlockSource } from './block-source.js';
import type { AzureContext } from './context.js';
import { quoteEtag } from './head.js';
import { azureErrorCode, httpStatus, mapAzureError } from './map-error.js';

/** What a resume journal holds for a block upload: the server keeps the blocks themselves. */
interface BlockUploadState {
  uploadId: string;
  blockSize: number;
}

export interface BlockUploadRequest {
  key: string;
  blockSize: number;
  /** Makes the block source once the block size is settled (a resumed upload keeps its own). */
  source: (blockSize: number) => Promise<BlockSource>;
  contentType?: string | undefined;
  /** Expected md5 (hex): checked before the commit, so a mismatch leaves nothing visible. */
  md5?: string | undefined;
  ifNoneMatch?: '*' | undefined;
  ifMatch?: string | undefined;
  /** Set for local files when resume is on: the upload is journaled and continued next time. */
  file?: (FileVersion & { path: string }) | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Block id `base64("<uploadId>-<index, 6 digits>")`: every id of one upload has the same length. */
export function blockId(uploadId: string, index: number): string {
  return Buffer.from(`${uploadId}-${String(index).padStart(6, '0')}`).toString('base64');
}

/**
 * One block upload: Put Block for every block (each with its Content-MD5, which the service
 * checks), then Put Block List with the md5 of the whole body (computed in order while the
 * blocks are read) as the blob's Content-MD5, and the write's conditions, so nothing is visible
 * until the commit and a create-only commit is atomic. Each upload has its own block-id prefix:
 * writers of the same blob name share its uncommitted blocks, and must not take each other's.
 *
 * A local file's upload is journaled (`UploadJournal`: the prefix and block size). Started again
 * for the same unchanged file, it asks the service for the uncommitted block list and stages
 * only the blocks that are missing; the blocks that are there are read again only to hash them.
 */
export async function blockUpload(
  ctx: AzureContext,
  request: BlockUploadRequest,
): Promise<ObjectStat> {
  const { key, signal, file } = request;
  const blob = ctx.conn.container.getBlockBlobClient(key);
  const journal = file
    ? await UploadJournal.acquire<BlockUploadState>(ctx.options.resumeDir, {
        backend: 'azure',
        endpoint: ctx.endpointId,
        container: ctx.options.container,
        key,
        path: file.path,
      })
    : undefined;
  try {
    let existing = new Map<string, number>();
    let state = journal && file ? journal.resumable(toVersion(file)) : undefined;
    if (state) {
      existing = await uncommittedBlocks(ctx, key, signal);
      // Nothing of this upload left on the server (committed meanwhile, or expired): start over.
      if (![...existing.keys()].some((id) => decodedPrefix(id) === state?.uploadId))
        state = undefined;
    }
    const blockSize = state?.blockSize ?? request.blockSize;
    const uploadId = state?.uploadId ?? randomBytes(8).toString('hex');
    if (journal && file && !state) {
      // Without a place for its journal the upload still runs; it just cannot be resumed.
      await journal.save(toVersion(file), { uploadId, blockSize }).catch(() => {});
    }
    const source = await request.source(blockSize);
    const sent = await stageBlocks(ctx, key, uploadId, source, existing, request);
    if (request.md5 !== undefined && sent.md5 !== request.md5) {
      throw new TroveError(
        'CORRUPT',
        `The bytes sent to ${key} have md5 ${sent.md5}, not ${request.md5}.`,
        {
          backend: 'azure',
          key,
          hint: file ? `Did ${file.path} change while it was uploaded?` : undefined,
        },
      );
    }
    const out = await blob.commitBlockList(sent.ids, {
      abortSignal: signal,
      blobHTTPHeaders: {
        blobContentMD5: Buffer.from(sent.md5, 'hex'),
        blobContentType: request.contentType,
      },
      conditions: { ifNoneMatch: request.ifNoneMatch, ifMatch: request.ifMatch },
    });
    await journal?.finish();
    return {
      key,
      size: sent.size,
      etag: quoteEtag(out.etag),
      lastModified: out.lastModified ?? new Date(),
      md5: sent.md5,
    };
  } catch (err) {
    const keep =
      journal !== undefined &&
      !isAbortError(err) &&
      mapAzureError(err, { container: ctx.options.container, key }).retryable &&
      !(err instanceof TroveError && err.code === 'CORRUPT');
    // (A process killed meanwhile leaves its journal locked by a dead pid: the next one breaks it.)
    if (keep) await journal?.release();
    else await journal?.finish();
    throw err;
  }
}

function toVersion(file: FileVersion): FileVersion {
  return { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino };
}

function decodedPrefix(id: string): string {
  const text = Buffer.from(id, 'base64').toString();
  return text.slice(0, text.lastIndexOf('-'));
}

/** The blob's uncommitted blocks (id → size); none when the blob or its container has none. */
async function uncommittedBlocks(
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
async function stageBlocks(
  ctx: AzureContext,
  key: string,
  uploadId: string,
  source: BlockSource,
  existing: Map<string, number>,
  request: BlockUploadRequest,
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
