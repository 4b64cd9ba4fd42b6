import { randomBytes } from 'node:crypto';
import { isTroveError, type ObjectStat, type WriteOptions } from '@trove/core/backend';
import {
  corruptBytes,
  journaled,
  openJournal,
  type PieceUpload,
  type UploadBody,
  versionOf,
  worthResuming,
} from '@trove/object-store';
import type { AzureContext } from '../context.js';
import { quoteEtag } from '../head.js';
import { mapAzureError } from '../map-error.js';
import { stageBlocks, uncommittedBlocks, uploadIdOfBlock } from './requests.js';
import { blocksOf } from './source.js';

/** What a resume journal holds for a block upload: the server keeps the blocks themselves. */
interface BlockUploadState {
  uploadId: string;
  blockSize: number;
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
async function blockUpload(ctx: AzureContext, request: PieceUpload): Promise<ObjectStat> {
  const { key, signal, file } = request;
  const blob = ctx.conn.container.getBlockBlobClient(key);
  const where = { backend: 'azure', endpoint: ctx.endpointId, container: ctx.options.container };
  const journal = await openJournal<BlockUploadState>(
    ctx.options.resumeDir,
    { ...where, key },
    file,
  );
  const upload = async (): Promise<ObjectStat> => {
    let existing = new Map<string, number>();
    let state = journal && file ? journal.resumable(versionOf(file)) : undefined;
    if (state) {
      existing = await uncommittedBlocks(ctx, key, signal);
      // Nothing of this upload left on the server (committed meanwhile, or expired): start over.
      if (![...existing.keys()].some((id) => uploadIdOfBlock(id) === state?.uploadId))
        state = undefined;
    }
    const blockSize = state?.blockSize ?? request.pieceSize;
    const uploadId = state?.uploadId ?? randomBytes(8).toString('hex');
    if (journal && file && !state) {
      // Without a place for its journal the upload still runs; it just cannot be resumed.
      await journal.save(versionOf(file), { uploadId, blockSize }).catch(() => {});
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
    return {
      key,
      size: sent.size,
      etag: quoteEtag(out.etag),
      lastModified: out.lastModified ?? new Date(),
      md5: sent.md5,
    };
  };
  // (A process killed meanwhile leaves its journal locked by a dead pid: the next one breaks it.)
  return journaled(journal, upload, {
    keep: (err) =>
      worthResuming(err, (e) => mapAzureError(e, { container: ctx.options.container, key })) &&
      !(isTroveError(err) && err.code === 'CORRUPT'),
  });
}

/** A body larger than one block as a block upload (a local file's is journaled, resume on). */
export function uploadBody(
  ctx: AzureContext,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  return blockUpload(ctx, blocksOf(ctx, key, body, options));
}
