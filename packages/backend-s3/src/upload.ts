import { isAbortError, type ObjectStat, TroveError } from '@trove/core/backend';
import type { S3Context } from './context.js';
import { mapS3Error, s3ErrorCode } from './map-error.js';
import {
  abortUpload,
  type CompleteConditions,
  completeUpload,
  createUpload,
  listServerParts,
  type ServerPart,
  sendParts,
} from './multipart.js';
import type { PartSource } from './part-source.js';
import { deleteState, loadState, type ResumeState, saveState, stateFile } from './resume-state.js';

/** The local file behind a resumable upload, as it was when the upload started. */
interface FileVersion {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface MultipartRequest extends CompleteConditions {
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
 * local file with resume on: then the upload and its state are kept for the next attempt.
 */
export async function multipartUpload(
  ctx: S3Context,
  request: MultipartRequest,
): Promise<ObjectStat> {
  const { key, signal } = request;
  const file = request.file;
  let stateAt = file
    ? stateFile(ctx.options.resumeDir, {
        endpoint: ctx.endpointId,
        bucket: ctx.bucket,
        key,
        path: file.path,
      })
    : undefined;
  const found = file && stateAt ? await findResumable(ctx, stateAt, key, file) : undefined;
  const partSize = found?.partSize ?? request.partSize;
  const uploadId = found?.uploadId ?? (await createUpload(ctx, key, request.contentType, signal));
  if (file && stateAt && !found) {
    const state: ResumeState = {
      version: 1,
      endpoint: ctx.endpointId,
      bucket: ctx.bucket,
      key,
      ...file,
      partSize,
      checksums: ctx.options.checksums,
      uploadId,
      createdAt: new Date().toISOString(),
    };
    if (request.md5 !== undefined) state.md5 = request.md5;
    // Without a place for its state the upload still runs, it just cannot be resumed.
    if (
      !(await saveState(stateAt, state).then(
        () => true,
        () => false,
      ))
    )
      stateAt = undefined;
  }
  try {
    const sent = await sendParts(ctx, key, uploadId, await request.source(partSize), {
      signal,
      onProgress: request.onProgress,
      existing: found?.parts,
    });
    if (request.md5 !== undefined && sent.md5 !== request.md5) {
      throw new TroveError(
        'CORRUPT',
        `The bytes sent to ${key} have md5 ${sent.md5}, not ${request.md5}.`,
        {
          backend: 's3',
          key,
          hint: file ? `Did ${file.path} change while it was uploaded?` : undefined,
        },
      );
    }
    const { etag } = await completeUpload(ctx, key, uploadId, sent.parts, request, signal);
    if (stateAt) await deleteState(stateAt);
    return { key, size: sent.size, etag, lastModified: new Date(), md5: sent.md5 };
  } catch (err) {
    const keep =
      stateAt !== undefined &&
      !isAbortError(err) &&
      mapS3Error(err, { bucket: ctx.bucket, key }).retryable;
    if (!keep) {
      await abortUpload(ctx, key, uploadId);
      if (stateAt) await deleteState(stateAt);
    }
    throw err;
  }
}

/**
 * The upload recorded for this file, if it is still the same file and the upload still exists.
 * An upload for another version of the file is aborted, so its parts do not linger.
 */
async function findResumable(
  ctx: S3Context,
  stateAt: string,
  key: string,
  file: FileVersion,
): Promise<Resumable | undefined> {
  const state = await loadState(stateAt);
  if (!state) return undefined;
  const same =
    state.bucket === ctx.bucket &&
    state.key === key &&
    state.size === file.size &&
    state.checksums === ctx.options.checksums &&
    state.mtimeMs === file.mtimeMs &&
    state.ino === file.ino;
  if (!same) {
    await abortUpload(ctx, state.key, state.uploadId);
    await deleteState(stateAt);
    return undefined;
  }
  try {
    const parts = await listServerParts(ctx, key, state.uploadId);
    return { uploadId: state.uploadId, partSize: state.partSize, parts };
  } catch (err) {
    const code = s3ErrorCode(err);
    if (code === 'NoSuchUpload' || code === 'NotFound' || code === 'NoSuchKey') {
      await deleteState(stateAt);
      return undefined;
    }
    throw err;
  }
}
