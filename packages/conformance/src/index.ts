export {
  type AliasContentionOptions,
  type AliasContentionResult,
  expectNoLostAliasMoves,
} from './alias-contention.js';
export type { CaseContext, CaseSuite, ConformanceOptions } from './context.js';
export {
  chunked,
  collect,
  expectMissingContainer,
  expectTroveError,
  listAll,
  listKeys,
  md5Hex,
  randomBytes,
  readBytes,
} from './helpers.js';
export {
  expectNoLostRegistrations,
  type RegistryContentionOptions,
  type RegistryContentionResult,
} from './registry-contention.js';
export { type CliFlowOptions, itRunsTheCliFlow } from './scenarios/cli-flow.js';
export { type DvcPullOptions, itDvcPulls } from './scenarios/dvc-pull.js';
export {
  describeUnderFaults,
  type FaultControl,
  type FaultRates,
  type FaultScenarioOptions,
  type FaultTarget,
} from './scenarios/faults.js';
export {
  type DroppingBackend,
  describeResumeAfterKill,
  droppingServer,
  type ResumeScenarioOptions,
  type ResumeTarget,
  storedMd5,
} from './scenarios/resume.js';
export {
  describeTransfers,
  type TransferOptions,
  type TransferTarget,
} from './scenarios/transfers.js';
export {
  bytesSent,
  md5OfFile,
  md5OfStream,
  runUpload,
  type UploadJob,
  type UploadPiece,
  type UploadRun,
  writeTestFile,
} from './scenarios/upload-process.js';
export { describeBackendConformance } from './suite.js';
export {
  expectTablesUnderContention,
  type TablesContentionOptions,
  type TablesContentionResult,
} from './tables-contention.js';
export type { TablesFinalReport } from './tables-job.js';
export type { WorkerProcessOptions } from './worker-process.js';
