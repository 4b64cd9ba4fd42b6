// Helpers shared by trove's tests. Emulator starters live on subpaths, one per service, so a
// test imports only what it starts: `@trove/test-utils/moto` (S3), `/gcs` (fake-gcs-server,
// gcp-storage-emulator), `/azurite` (Azure), all built on `startEmulator`.
export {
  commandOrPipInstall,
  type Emulator,
  freePort,
  type StartEmulatorOptions,
  startEmulator,
  stopProcess,
} from './emulator.js';
export { distUrl, type ExitScriptResult, runExitScript } from './exit-script.js';
export { expectRefusedCleanly, inFreshTmpdir } from './fresh-tmpdir.js';
export { rejectionCode } from './rejection-code.js';
export { seededRandom } from './seeded-random.js';
export { snapshotTree, type TreeEntry } from './snapshot-tree.js';
export { readEvents, storeKeys, vectors } from './store-files.js';
export { fileTempDir, removeTempDirs, type TempDirOptions, tempDir } from './temp-dir.js';
export { troveProject } from './trove-project.js';
