import { randomBytes } from 'node:crypto';
import {
  corruptBytes,
  type FileVersion,
  isAbortError,
  isTroveError,
  type ObjectStat,
  type UploadBody,
  UploadJournal,
  type WriteOptions,
} from '@trove/core/backend';
import type { AzureContext } from '../context.js';
import { quoteEtag } from '../head.js';
import { mapAzureError } from '../map-error.js';
import { blockSizeFor } from '../options.js';
import { stageBlocks, uncommittedBlocks, uploadIdOfBlock } from './requests.js';
import { type BlockSource, bufferSource, fileSource, iterableSource } from './source.js';

/** What a resume journal holds for a block upload: the server keeps the blocks themselves. */
interface BlockUploadState {
  uploadId: string;
  blockSize: number;
}

interface BlockUploadRequest {
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
async function blockUpload(ctx: AzureContext, request: BlockUploadRequest): Promise<ObjectStat> {
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
      if (![...existing.keys()].some((id) => uploadIdOfBlock(id) === state?.uploadId))
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
      const hint = file ? `Did ${file.path} change while it was uploaded?` : undefined;
      throw corruptBytes('azure', key, sent.md5, request.md5, hint);
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
      !(isTroveError(err) && err.code === 'CORRUPT');
    // (A process killed meanwhile leaves its journal locked by a dead pid: the next one breaks it.)
    if (keep) await journal?.release();
    else await journal?.finish();
    throw err;
  }
}

function toVersion(file: FileVersion): FileVersion {
  return { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino };
}

/**
 * A body larger than one block as a block upload: blocks of `max(blockSize, size / 50,000)` for
 * bytes, files and streams of a declared size (a local file's upload is journaled when resume
 * is on).
 */
export function uploadBody(
  ctx: AzureContext,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  const request = {
    key,
    contentType: options.contentType,
    md5: options.md5,
    ifNoneMatch: options.ifNoneMatch,
    ifMatch: options.ifMatch,
    signal: options.signal,
    onProgress: options.onProgress,
  };
  const min = ctx.options.blockSize;
  const slots = ctx.options.concurrency + 1;
  if (body.kind === 'bytes') {
    const { bytes } = body;
    const blockSize = blockSizeFor(bytes.length, min);
    return blockUpload(ctx, { ...request, blockSize, source: async (n) => bufferSource(bytes, n) });
  }
  if (body.kind === 'file') {
    const { path, size, version } = body;
    return blockUpload(ctx, {
      ...request,
      blockSize: blockSizeFor(size, min),
      source: (blockSize) => fileSource(path, size, blockSize, slots),
      file: ctx.options.resume ? { path, ...version } : undefined,
    });
  }
  const { head, rest } = body;
  return blockUpload(ctx, {
    ...request,
    blockSize: options.size !== undefined ? blockSizeFor(options.size, min) : min,
    source: async (size) => iterableSource(rest, size, slots, [head]),
  });
}
