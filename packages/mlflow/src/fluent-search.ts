/**
 * The fluent `mlflow.search_runs(output_format="list")` and `mlflow.get_run`, over the store of
 * the active or last run (else the project's). What the active runs logged is saved first.
 */
import { type Store, TroveError } from '@trove/core';
import { currentStore, flushActiveRuns } from './active-runs.js';
import { activeExperiment, experimentId } from './experiments.js';
import type { MlflowRun } from './run-view.js';
import { getStoreRun, type RunViewType, searchRunPage } from './search-runs.js';

/** The fluent API's default, as MLflow's `SEARCH_MAX_RESULTS_PANDAS`. */
const FLUENT_MAX_RESULTS = 100_000;

export interface SearchRunsOptions {
  /** Default: the experiment `setExperiment` chose, else `Default` (`0`). */
  experimentIds?: readonly string[];
  experimentNames?: readonly string[];
  /** Every experiment, when neither `experimentIds` nor `experimentNames` is given. */
  searchAllExperiments?: boolean;
  /** MLflow's grammar plus `or` and parentheses (`@trove/core`'s docs/search.md). */
  filterString?: string;
  runViewType?: RunViewType;
  /** Default 100,000, as MLflow's fluent `search_runs`. */
  maxResults?: number;
  orderBy?: readonly string[];
  /** Only `list` (MLflow's default is a pandas DataFrame, which JavaScript has not). */
  outputFormat?: 'list';
  store?: Store;
}

/** `search_runs(..., output_format="list")`: the runs that match, in MLflow's `Run` shape. */
export async function searchRuns(options: SearchRunsOptions = {}): Promise<MlflowRun[]> {
  if (options.outputFormat !== undefined && options.outputFormat !== 'list') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `outputFormat ${JSON.stringify(options.outputFormat)} is not supported; use 'list'.`,
    );
  }
  await flushActiveRuns();
  const page = await searchRunPage(options.store ?? (await currentStore()), {
    experimentIds: experimentIdsOf(options),
    filterString: options.filterString,
    runViewType: options.runViewType,
    maxResults: options.maxResults ?? FLUENT_MAX_RESULTS,
    orderBy: options.orderBy,
  });
  return [...page];
}

/** `get_run`: the run `runId` (or a unique prefix), as `searchRuns` shows it. */
export async function getRun(runId: string): Promise<MlflowRun> {
  await flushActiveRuns();
  return getStoreRun(await currentStore(), runId);
}

/** MLflow's rules: ids or names, not both; neither means the active experiment (or all). */
function experimentIdsOf(options: SearchRunsOptions): readonly string[] | undefined {
  const { experimentIds = [], experimentNames = [] } = options;
  if (!Array.isArray(experimentIds) || !Array.isArray(experimentNames)) {
    throw new TroveError('INVALID_ARGUMENT', 'experimentIds and experimentNames must be arrays.');
  }
  if (experimentIds.length > 0 && experimentNames.length > 0) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'Only experimentIds or experimentNames can be used, but not both.',
    );
  }
  if (experimentIds.length > 0) return experimentIds;
  if (experimentNames.length > 0) return experimentNames.map(experimentId);
  return options.searchAllExperiments ? undefined : [activeExperiment().experiment_id];
}
