export * from './backend.js';
export { BatchQueue, collectBatches, eachBatch } from './batches.js';
export { bodyChunks, compareKeys } from './body.js';
export { type AddDirResult, type AddResult, ContentStore, type StoreFile } from './cas.js';
export { type CheckoutResult, checkout } from './checkout.js';
export { mapLimit } from './concurrency.js';
export {
  CONFIG_FILE,
  DEFAULT_STORE,
  dvcCacheDir,
  findProject,
  loadConfig,
  type OpenStoreOptions,
  openStore,
  type ProjectPaths,
  type StoreConfig,
  type TroveConfig,
} from './config.js';
export { type DvcYamlArtifact, upsertDvcYamlArtifact } from './dvc/dvcyaml.js';
export {
  type DvcOut,
  dvcFileText,
  escapeGitPattern,
  ignoreInGit,
  writeDvcFile,
} from './dvc/pointer.js';
export {
  comparePyStr,
  dumpJsonDvclive,
  PyFloat,
  pyFloatRepr,
  pyJsonDumps,
  pyJsonString,
} from './dvc/py-format.js';
export { dumpYaml } from './dvc/yaml-emit.js';
export type { TroveErrorCode, TroveErrorOptions } from './errors.js';
export { errnoCode, isTroveError, TroveError } from './errors.js';
export {
  buildDirManifest,
  type DirManifest,
  EMPTY_DIR_MD5,
  type ManifestEntry,
  parseDirManifest,
} from './hash/dir-manifest.js';
export { hashFiles } from './hash/hash-pool.js';
export { HashState } from './hash/hash-state.js';
export { md5Bytes, md5File } from './hash/md5-file.js';
export { type FileEntry, walkFiles } from './hash/walk.js';
export { type Ingested, ingestPath, type Progress } from './ingest.js';
export { joinKey, RESERVED_SEGMENT_PREFIX, validateKey, validatePrefix } from './keys.js';
export { createMemoryBackend, MemoryBackend } from './memory-backend.js';
export {
  ARTIFACT_NAME_RE,
  defaultArtifactName,
  logicalPath,
  pathExtension,
  validateArtifactName,
  validateRelPath,
  validateStep,
} from './naming.js';
export type { ArtifactRecord, LineageRow, RunRecord, RunStatus } from './records.js';
export { type ResolvedArtifact, resolveArtifactRef } from './refs.js';
export {
  type LogArtifactOptions,
  type LogRefOptions,
  Run,
  resumeRun,
  type StartRunOptions,
  startRun,
  type UseArtifactOptions,
  type UsedArtifact,
  withRun,
} from './run.js';
export { Store, type StoreParts } from './store.js';
