/**
 * `@trove/mlflow`: MLflow's fluent API, model format and registry client on trove. No
 * tracking server, no database: runs, artifacts and the registry live in the store.
 *
 * @example
 * import * as mlflow from '@trove/mlflow';
 * await mlflow.startRun();
 * mlflow.logParam('lr', 0.01);
 * await mlflow.logArtifact('plot.png', 'plots'); // plots/plot.png
 * const info = await mlflow.logModel('model.onnx', { flavor: 'onnx', registeredModelName: 'clf' });
 * await mlflow.endRun();
 */

export type { DownloadArtifactsOptions, FileInfo } from './artifacts.js';
export { MlflowClient } from './client.js';
export { type Experiment, setExperiment } from './experiments.js';
export {
  activeRun,
  type Dataset,
  downloadArtifacts,
  endRun,
  type LogMetricOptions,
  listArtifacts,
  logArtifact,
  logArtifacts,
  logDict,
  logInput,
  logMetric,
  logMetrics,
  logModel,
  logParam,
  logParams,
  logText,
  type MlflowRunStatus,
  type StartRunOptions,
  setTag,
  setTags,
  startRun,
  withRun,
} from './fluent.js';
export { getRun, type SearchRunsOptions, searchRuns } from './fluent-search.js';
export { type LogModelOptions, logRunModel, type ModelInfo } from './log-model.js';
export {
  getLoggedModel,
  type LoggedModel,
  type SearchLoggedModelsOptions,
  searchLoggedModels,
} from './logged-models.js';
export { type Tensor, type TensorDtype, tensor } from './model/schema.js';
export type { ModelSignature } from './model/signature.js';
export { inferSignature } from './model/signature.js';
export type { ModelMetricInfo } from './model-metrics.js';
export type { MlflowRun, MlflowRunData, MlflowRunInfo, MlflowStatus } from './run-view.js';
export { type PagedList, type RunViewType, ViewType } from './search-runs.js';
