/**
 * `@trove/core`: the user API. Runs and what they log, stores and references, configuration
 * and errors. Backend authors use `@trove/core/backend`; the DVCLive, MLflow and Polyaxon
 * dialects have subpaths of their own.
 */

export { TRANSFER_CHANNEL, type TransferMessage } from './backend/transfer-channel.js';
export { isTroveError, TroveError, type TroveErrorCode } from './errors.js';
export { loadConfig, type StoreConfig, type TroveConfig } from './project/config.js';
export { parseDuration } from './project/duration.js';
export { CONFIG_FILE, findProject, type ProjectPaths } from './project/find-project.js';
export type { GcOptions, GcResult } from './record/gc.js';
export { openStore } from './record/open-store.js';
export type { ArtifactRecord, LineageRow, RunRecord, RunStatus } from './record/records.js';
export { Store, type StoreParts } from './record/store.js';
export {
  type ListedAlias,
  listAliases,
  removeAlias,
  setAlias,
} from './refs/artifact-alias.js';
export { impactedBy, lineageGraph } from './refs/lineage.js';
export { openRegistry } from './refs/open-registry.js';
export { type ResolvedArtifact, resolveArtifactRef } from './refs/resolve-ref.js';
export {
  ModelRegistry,
  type ModelVersion,
  type RegisteredModel,
} from './registry/model-registry.js';
export { type AddArtifactOptions, addArtifact } from './run/add-artifact.js';
export type { LogArtifactOptions } from './run/log-artifact.js';
export type { LogRefOptions } from './run/log-ref.js';
export { Run } from './run/run.js';
export { resumeRun, type StartRunOptions, startRun, withRun } from './run/start-run.js';
export type { UseArtifactOptions, UsedArtifact } from './run/use-artifact.js';
export {
  type CacheStatus,
  cacheStatus,
  type PruneCacheOptions,
  type PrunedCache,
  pruneCache,
} from './store/caches.js';
export { type CheckoutOptions, type CheckoutResult, checkout } from './store/checkout.js';
export type { ContentStore } from './store/content-store.js';
export type { Progress } from './store/ingest.js';
export type { OpenStoreOptions } from './store/open-backends.js';
export {
  type PullOptions,
  type PushOptions,
  pull,
  push,
} from './sync/push-pull.js';
export { type SyncOptions, type SyncSummary, sync } from './sync/sync.js';
export { findLineage, type ListArtifactsOptions, listArtifacts } from './tables/find-artifacts.js';
export { gc, gcPolicy, type PolicyGcOptions, type PolicyGcResult } from './tables/gc-tables.js';
export {
  type IndexOptions,
  type IndexResult,
  indexStore as indexTables,
} from './tables/index-store.js';
export type { LineageGraph, LineageNode, WalkOptions } from './tables/lineage-graph.js';
export {
  type MetricSeries,
  type MetricSeriesOptions,
  metricSeries,
  prepareMetricSeries,
} from './tables/metric-series.js';
export type { ArtifactRow, LineageTableRow, RunRow } from './tables/rows.js';
export { type RunKeys, runKeys } from './tables/run-keys.js';
export { countRuns, type SearchRunsOptions, searchRuns } from './tables/search-runs.js';
export { type SqlResult, sql } from './tables/sql.js';
