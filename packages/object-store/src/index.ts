/**
 * `@trove/object-store`: the base a cloud backend is built on. `defineObjectStore` turns an
 * object store's primitives (head, read, put, copy, delete, list, and a resumable `upload`) into
 * a whole `StorageBackend`: keys checked at one gate, errors mapped with aborts passed through,
 * the write-body dispatch, `writeMany` with existing objects listed once, `cleanup` through the
 * journal sweep; plus the resumable-upload kit the engines share. `@trove/backend-s3`, `-gcs`
 * and `-azure` are built on it; a fourth backend is only its primitives.
 */
export { isEmptyRange, rangeHeader, sizeFromAnswer } from './byte-range.js';
export type { ListKeys } from './existing-probe.js';
export { readFileBytes } from './file-bytes.js';
export { type HttpAgents, headerOf, httpGet, httpSend, withRetries } from './http-get.js';
export { type JournalSweep, type OpenUpload, stateField, sweepJournals } from './journal-sweep.js';
export {
  type JournaledFile,
  type JournalPolicy,
  journaled,
  journaledFile,
  openJournal,
  versionOf,
  worthResuming,
} from './journaled-upload.js';
export {
  defineObjectStore,
  ObjectStoreBackend,
  type ObjectStoreOp,
  type ObjectStorePrimitives,
} from './object-store.js';
export {
  bodyPieces,
  bytesPieces,
  filePieces,
  type Piece,
  type PieceSource,
  type StreamPieceSize,
  streamPieces,
} from './piece-source.js';
export { type PieceRules, type PieceUpload, pieceUpload } from './piece-upload.js';
export { type PinnedCopy, pinnedCopy } from './pinned-copy.js';
export { type SendPiecesOptions, type SentPieces, sendPieces } from './send-pieces.js';
export { ServiceErrors, type ServiceTarget, serviceErrorCode } from './service-errors.js';
export { corruptBytes, type UploadBody, type UploadRequest } from './write-body.js';
export { type ManyWrites, writeManyWith } from './write-many.js';
