import {
  corruptBytes,
  isAbortError,
  type FileVersion as JournalFileVersion,
  type ObjectStat,
  type UploadBody,
  UploadJournal,
  type WriteOptions,
} from '@trove/core/backend';
import type { S3Context } from '../context.js';
import { mapS3Error, s3ErrorCode } from '../map-error.js';
import { partSizeFor } from './part-size.js';
import {
  abortUpload,
  type CompleteConditions,
  completeUpload,
  createUpload,
  listServerParts,
  type ServerPart,
  sendParts,
} from './requests.js';
import { bufferSource, fileSource, iterableSource, type PartSource } from './source.js';

/** The local file behind a resumable upload, as it was when the upload started. */
interface FileVersion extends JournalFileVersion {
  path: string;
}

/** What an S3 upload keeps in its journal (the toolkit's `UploadJournal`). */
interface S3ResumeState {
  uploadId: string;
  partSize: number;
  /** The upload declares CRC32 part checksums with `when_supported`; a resume must match it. */
  checksums: 'when_required' | 'when_supported';
  md5?: string;
}

interface MultipartRequest extends CompleteConditions {
  key: string;
  partSize: number;
  /** Makes the part source once the part size is settled (a resumed upload keeps its own). */
  source: (partSize: number) => Promise<PartSource>;
  contentType?: string | undefined;
  /** Expected md5 (hex): checked before the upload is completed, so a mismatch leaves nothing. */
  md5?: string | undefined;
  /** Set for local files when resume is on: the upload is recorded and continued next time. */
  file?: FileVersion | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
}

interface Resumable {
  uploadId: string;
  partSize: number;
  parts: Map<number, ServerPart>;
}

/**
 * One multipart upload from start to end. Nothing is visible under the key until
 * CompleteMultipartUpload, which runs only after every part is sent and the md5 of the whole
 * body matched. A failure aborts the upload (no orphaned parts), except a retryable one on a
 * local file with resume on: then the upload and its journal are kept for the next attempt.
 * The journal is owned (`UploadJournal`): while one process uploads a file to a key, another
 * doing the same uploads on its own, never joining a live upload; for content-addressed keys
 * the create-only completion lets one of them win and the others find the object.
 */
async function multipartUpload(ctx: S3Context, request: MultipartRequest): Promise<ObjectStat> {
  const { key, signal } = request;
  const file = request.file;
  const journal = file
    ? await UploadJournal.acquire<S3ResumeState>(ctx.options.resumeDir, {
        backend: 's3',
        endpoint: ctx.endpointId,
        container: ctx.bucket,
        key,
        path: file.path,
      })
    : undefined;
  // Until the upload succeeds or fails for good, the journal stays for a later attempt.
  let keepJournal = true;
  try {
    const version = file && { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino };
    const found = journal && version ? await findResumable(ctx, journal, key, version) : undefined;
    const partSize = found?.partSize ?? request.partSize;
    const uploadId = found?.uploadId ?? (await createUpload(ctx, key, request.contentType, signal));
    let resumable = journal !== undefined;
    if (journal && version && !found) {
      const state: S3ResumeState = { uploadId, partSize, checksums: ctx.options.checksums };
      if (request.md5 !== undefined) state.md5 = request.md5;
      // Without a place for its journal the upload still runs, it just cannot be resumed.
      resumable = await journal.save(version, state).then(
        () => true,
        () => false,
      );
    }
    try {
      const sent = await sendParts(ctx, key, uploadId, await request.source(partSize), {
        signal,
        onProgress: request.onProgress,
        existing: found?.parts,
      });
      if (request.md5 !== undefined && sent.md5 !== request.md5) {
        const hint = file ? `Did ${file.path} change while it was uploaded?` : undefined;
        throw corruptBytes('s3', key, sent.md5, request.md5, hint);
      }
      const { etag } = await completeUpload(ctx, key, uploadId, sent.parts, request, signal);
      keepJournal = false;
      return { key, size: sent.size, etag, lastModified: new Date(), md5: sent.md5 };
    } catch (err) {
      keepJournal =
        resumable && !isAbortError(err) && mapS3Error(err, { bucket: ctx.bucket, key }).retryable;
      if (!keepJournal) await abortUpload(ctx, key, uploadId);
      throw err;
    }
  } finally {
    if (keepJournal) await journal?.release();
    else await journal?.finish();
  }
}

/**
 * The upload in the journal, if it was for this very version of the file and the server still
 * has it. An upload for another version of the file is aborted, so its parts do not linger.
 */
async function findResumable(
  ctx: S3Context,
  journal: UploadJournal<S3ResumeState>,
  key: string,
  file: JournalFileVersion,
): Promise<Resumable | undefined> {
  const previous = journal.previous?.state;
  if (!previous) return undefined;
  const state = journal.resumable(file);
  if (!state || state.checksums !== ctx.options.checksums) {
    await abortUpload(ctx, key, previous.uploadId);
    return undefined;
  }
  try {
    const parts = await listServerParts(ctx, key, state.uploadId);
    return { uploadId: state.uploadId, partSize: state.partSize, parts };
  } catch (err) {
    const code = s3ErrorCode(err);
    if (code === 'NoSuchUpload' || code === 'NotFound' || code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/**
 * A body larger than one part as a multipart upload: parts of `max(partSize, size / 9000)` for
 * bytes and files (a local file's upload is journaled when resume is on), growing parts for a
 * stream of unknown length.
 */
export function uploadBody(
  ctx: S3Context,
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
  const slots = ctx.options.concurrency + 1;
  if (body.kind === 'bytes') {
    const { bytes } = body;
    const partSize = partSizeFor(bytes.length, ctx.options.partSize);
    return multipartUpload(ctx, {
      ...request,
      partSize,
      source: async (n) => bufferSource(bytes, n),
    });
  }
  if (body.kind === 'file') {
    const { path, size, version } = body;
    return multipartUpload(ctx, {
      ...request,
      partSize: partSizeFor(size, ctx.options.partSize),
      source: (partSize) => fileSource(path, size, partSize, slots),
      file: ctx.options.resume ? { path, ...version } : undefined,
    });
  }
  const base =
    options.size !== undefined
      ? partSizeFor(options.size, ctx.options.partSize)
      : ctx.options.partSize;
  const { head, rest } = body;
  return multipartUpload(ctx, {
    ...request,
    partSize: base,
    source: async () => iterableSource(rest, base, slots, head),
  });
}
