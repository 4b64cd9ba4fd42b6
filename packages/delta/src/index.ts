export type { AddFile, Metadata, Protocol, RemoveFile, Txn } from './actions.js';
export { CHECKPOINT_INTERVAL } from './checkpoint.js';
export type { CommitOptions, CommitPlan, CommitResult, PlannedCommit } from './commit.js';
export { DeltaError, type DeltaErrorCode } from './errors.js';
export {
  type FileLayout,
  type FileSummary,
  SUMMARY_DIR,
  SUMMARY_TAG,
  summaryPath,
} from './file-layout.js';
export type { OptimizeOptions } from './optimize.js';
export { readParquetColumns } from './parquet-io.js';
export type { Row } from './rows.js';
export { type DeltaField, type DeltaSchema, type DeltaType, defineSchema } from './schema.js';
export type { Snapshot } from './state.js';
export type { DeltaStorage } from './storage.js';
export { DeltaTable, type OpenTableOptions, openTable } from './table.js';
export type { VacuumOptions, VacuumResult } from './vacuum.js';
