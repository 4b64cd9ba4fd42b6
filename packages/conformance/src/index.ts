export type { CaseContext, CaseSuite, ConformanceOptions } from './context.js';
export {
  chunked,
  collect,
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
export { describeBackendConformance } from './suite.js';
