/**
 * What an upload in pieces (S3 multipart, Azure blocks) starts from, the same on every service
 * that has them: the write's request, the piece size for the body's size (where known), the
 * local file to journal (resume on), and the body's pieces once the piece size is settled (a
 * resumed upload keeps the piece size it started with).
 */

import type { WriteOptions } from '@trove/core/backend';
import type { JournaledFile } from './journaled-upload.js';
import { journaledFile } from './journaled-upload.js';
import { bodyPieces, type PieceSource } from './piece-source.js';
import { type UploadBody, type UploadRequest, uploadRequest, uploadSize } from './write-body.js';

export interface PieceUpload extends UploadRequest {
  /** The piece size for this body. */
  pieceSize: number;
  /** Set for a local file when resume is on: the upload is journaled and continued next time. */
  file: JournaledFile | undefined;
  /** The body's pieces of `pieceSize` bytes. */
  source(pieceSize: number): Promise<PieceSource>;
}

/** How a service cuts bodies into pieces. */
export interface PieceRules {
  /** The smallest piece size (the backend's option). */
  min: number;
  /** The piece size for a body of `size` bytes (within the service's piece-count limit). */
  sizeFor(size: number, min: number): number;
  /** Size of piece `index` of a stream of unknown length (default: the piece size). */
  streamSize?(index: number, pieceSize: number): number;
}

/** The upload of `body` to `key` in pieces; `store` gives concurrency (pieces in flight) and resume. */
export function pieceUpload(
  key: string,
  body: UploadBody,
  options: WriteOptions,
  store: { concurrency: number; resume: boolean },
  rules: PieceRules,
): PieceUpload {
  const size = uploadSize(body, options.size);
  // One buffer more than the pieces in flight: the next piece is read while they are sent.
  const slots = store.concurrency + 1;
  const stream = rules.streamSize;
  return {
    ...uploadRequest(key, options),
    pieceSize: size !== undefined ? rules.sizeFor(size, rules.min) : rules.min,
    file: journaledFile(body, store.resume),
    source: (pieceSize) =>
      bodyPieces(body, pieceSize, slots, stream && ((index) => stream(index, pieceSize))),
  };
}
