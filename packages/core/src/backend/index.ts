/**
 * `@trove/core/backend`: what a backend author needs, and nothing of the run model. The
 * `StorageBackend` contract, `defineBackend` for the package's default export, key rules, batch
 * and concurrency helpers, the errors every backend raises the same way, `defineObjectStore`
 * (a whole backend from an object store's primitives), option specs with defaults and ranges,
 * and an in-memory backend to test against. `@trove/conformance` is the test suite that checks a backend.
 */

export {
  errnoCode,
  isTroveError,
  TroveError,
  type TroveErrorCode,
  type TroveErrorOptions,
} from '../errors.js';
export {
  checkWriteConditions,
  codeForHttpStatus,
  type ItemFailure,
  isAbortError,
  isNetworkError,
  localFileError,
  notFound,
  preconditionFailed,
  writeManyFailure,
} from './backend-errors.js';
export { BatchQueue, collectBatches, eachBatch } from './batches.js';
export { bodyChunks } from './body.js';
export {
  type BackendCapabilities,
  type CleanupOptions,
  type CleanupResult,
  type CopyOptions,
  type CopyOrigin,
  capabilitiesOf,
  type DeclaredCapabilities,
  type LinkType,
  type ListOptions,
  type MaterializeOptions,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  type ReadOptions,
  type ReadResult,
  type SignedUrlOptions,
  type StorageBackend,
  type WriteBody,
  type WriteManyItem,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from './contract.js';
export {
  type BackendContext,
  type BackendFactory,
  defineBackend,
  type OptionSpec,
} from './define.js';
export {
  compareKeys,
  joinKey,
  RESERVED_SEGMENT_PREFIX,
  validateKey,
  validatePrefix,
} from './keys.js';
export { mapLimit } from './map-limit.js';
export {
  createMemoryBackend,
  MemoryBackend,
  type MemoryBackendOptions,
} from './memory-backend.js';
export {
  countSpec,
  invalidOption,
  type ObjectStoreOptions,
  objectStoreOptionSpecs,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
  resolveOptions,
  withPathsFrom,
} from './option-specs.js';
export {
  TRANSFER_CHANNEL,
  type TransferMessage,
  transferStarted,
} from './transfer-channel.js';
export {
  abandonedJournals,
  breakLock,
  defaultResumeDir,
  type FileVersion,
  type JournalEntry,
  STALE_JOURNAL_MS,
  tempOwnerGone,
  type UploadIdentity,
  UploadJournal,
} from './upload-journal.js';
