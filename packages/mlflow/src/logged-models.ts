/**
 * MLflow 3's logged models as its `LoggedModel` entity shows them: `searchLoggedModels`
 * (`search_logged_models(output_format="list")`) and `getLoggedModel`, over core's
 * `searchLoggedModels` (the runs search's grammar, MLflow's attribute names).
 */
import { type Store, TroveError } from '@trove/core';
import {
  isModelId,
  type LoggedModelRow,
  searchLoggedModels as searchCore,
} from '@trove/core/dialect';
import { currentStore, flushActiveRuns } from './active-runs.js';
import { activeExperiment } from './experiments.js';
import { type ModelMetricInfo, modelMetricInfos } from './model-metrics.js';

export interface LoggedModel {
  model_id: string;
  experiment_id: string;
  name: string;
  /** `models:/<model_id>`: where trove keeps its files. */
  artifact_location: string;
  /** Epoch milliseconds. */
  creation_timestamp: number;
  last_updated_timestamp: number;
  model_type: string | null;
  source_run_id: string | null;
  /** A logged model is READY once `logModel` resolves (trove has no pending models). */
  status: 'READY';
  status_message: null;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: ModelMetricInfo[];
}

export interface SearchLoggedModelsOptions {
  /** Default: the experiment `setExperiment` chose, else `Default` (`0`). */
  experimentIds?: readonly string[];
  /** `metrics.acc > 0.9 AND params.lr = '0.01'`, `name = 'clf'`, `creation_timestamp > 0`, … */
  filterString?: string;
  maxResults?: number;
  /** MLflow's form: `[{ fieldName: 'metrics.acc', ascending: false }]`. */
  orderBy?: ReadonlyArray<{ fieldName: string; ascending?: boolean }>;
  /** Only `list` (MLflow's default is a pandas DataFrame, which JavaScript has not). */
  outputFormat?: 'list';
}

/** `search_logged_models(..., output_format="list")`. */
export async function searchLoggedModels(
  options: SearchLoggedModelsOptions = {},
): Promise<LoggedModel[]> {
  if (options.outputFormat !== undefined && options.outputFormat !== 'list')
    throw new TroveError(
      'INVALID_ARGUMENT',
      `outputFormat ${JSON.stringify(options.outputFormat)} is not supported; use 'list'.`,
    );
  const orderBy = (options.orderBy ?? []).map((o) => {
    if (typeof o?.fieldName !== 'string')
      throw new TroveError('INVALID_ARGUMENT', 'Each orderBy item needs a fieldName.');
    return `${o.fieldName} ${o.ascending === false ? 'DESC' : 'ASC'}`;
  });
  await flushActiveRuns();
  const store = await currentStore();
  const rows = await searchCore(store, {
    experimentIds: options.experimentIds ?? [activeExperiment().experiment_id],
    ...(options.filterString !== undefined ? { filter: options.filterString } : {}),
    ...(options.maxResults !== undefined ? { limit: options.maxResults } : {}),
    orderBy,
  });
  return Promise.all(rows.map((row) => loggedModel(store, row)));
}

/** `get_logged_model`. */
export async function getLoggedModel(modelId: string): Promise<LoggedModel> {
  if (typeof modelId !== 'string' || !isModelId(modelId))
    throw new TroveError('INVALID_ARGUMENT', `${JSON.stringify(modelId)} is not a model id.`);
  await flushActiveRuns();
  const store = await currentStore();
  const [row] = await searchCore(store, { filter: `model_id = '${modelId}'` });
  if (!row) throw new TroveError('NOT_FOUND', `No logged model ${modelId}.`, { key: modelId });
  return loggedModel(store, row);
}

async function loggedModel(store: Store, row: LoggedModelRow): Promise<LoggedModel> {
  return {
    model_id: row.model_id,
    experiment_id: row.experiment_id ?? '0',
    name: row.name,
    artifact_location: `models:/${row.model_id}`,
    creation_timestamp: row.creation_time.getTime(),
    last_updated_timestamp: row.last_updated_time.getTime(),
    model_type: row.model_type,
    source_run_id: row.source_run_id,
    status: 'READY',
    status_message: null,
    tags: row.tags,
    params: row.params,
    metrics:
      row.source_run_id === null
        ? []
        : await modelMetricInfos(store, row.source_run_id, row.model_id),
  };
}
