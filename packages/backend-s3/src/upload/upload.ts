import type { FileVersion, ObjectStat, UploadJournal, WriteOptions } from '@trove/core/backend';
import {
  corruptBytes,
  journaled,
  openJournal,
  type PieceUpload,
  type UploadBody,
  versionOf,
  worthResuming,
} from '@trove/object-store';
import type { S3Context } from '../context.js';
import { mapS3Error, s3ErrorCode } from '../map-error.js';
import {
  abortUpload,
  completeUpload,
  createUpload,
  listServerParts,
  type ServerPart,
  sendParts,
} from './requests.js';
import { partsOf } from './source.js';

/** What an S3 upload keeps in its journal (the toolkit's `UploadJournal`). */
interface S3ResumeState {
  uploadId: string;
  partSize: number;
  /** The upload declares CRC32 part checksums with `when_supported`; a resume must match it. */
  checksums: 'when_required' | 'when_supported';
  md5?: string;
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
async function multipartUpload(ctx: S3Context, request: PieceUpload): Promise<ObjectStat> {
  const { key, signal, file } = request;
  const where = { backend: 's3', endpoint: ctx.endpointId, container: ctx.bucket, key };
  const journal = await openJournal<S3ResumeState>(ctx.options.resumeDir, where, file);
  let uploadId: string | undefined;
  let resumable = journal !== undefined;
  return journaled(
    journal,
    async () => {
      const version = file && versionOf(file);
      const found =
        journal && version ? await findResumable(ctx, journal, key, version) : undefined;
      const partSize = found?.partSize ?? request.pieceSize;
      const id = found?.uploadId ?? (await createUpload(ctx, key, request.contentType, signal));
      if (journal && version && !found) {
        const state: S3ResumeState = { uploadId: id, partSize, checksums: ctx.options.checksums };
        if (request.md5 !== undefined) state.md5 = request.md5;
        // Without a place for its journal the upload still runs, it just cannot be resumed.
        resumable = await journal.save(version, state).then(
          () => true,
          () => false,
        );
      }
      uploadId = id;
      const sent = await sendParts(ctx, key, id, await request.source(partSize), {
        signal,
        onProgress: request.onProgress,
        existing: found?.parts,
      });
      if (request.md5 !== undefined && sent.md5 !== request.md5) {
        const hint = file ? `Did ${file.path} change while it was uploaded?` : undefined;
        throw corruptBytes('s3', key, sent.md5, request.md5, hint);
      }
      const { etag } = await completeUpload(ctx, key, id, sent.parts, request, signal);
      return { key, size: sent.size, etag, lastModified: new Date(), md5: sent.md5 };
    },
    {
      // Until the parts are being sent, the journal stays for a later attempt whatever failed.
      keep: (err) =>
        uploadId === undefined ||
        (resumable && worthResuming(err, (e) => mapS3Error(e, { bucket: ctx.bucket, key }))),
      drop: async () => {
        if (uploadId !== undefined) await abortUpload(ctx, key, uploadId);
      },
    },
  );
}

/**
 * The upload in the journal, if it was for this very version of the file and the server still
 * has it. An upload for another version of the file is aborted, so its parts do not linger.
 */
async function findResumable(
  ctx: S3Context,
  journal: UploadJournal<S3ResumeState>,
  key: string,
  file: FileVersion,
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

/** A body larger than one part as a multipart upload (a local file's is journaled, resume on). */
export function uploadBody(
  ctx: S3Context,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  return multipartUpload(ctx, partsOf(ctx, key, body, options));
}
