/**
 * Metrics linked to a logged model (MLflow 3's `log_metric(..., model_id=…)`), as MLflow's
 * `Metric` entity shows them on a `LoggedModel`.
 */
import type { Store } from '@trove/core';
import { latestModelMetrics } from '@trove/core/dialect';

export interface ModelMetricInfo {
  key: string;
  value: number;
  step: number;
  /** Epoch milliseconds. */
  timestamp: number;
  run_id: string;
  model_id: string;
}

/** The latest value of each metric the run `runId` linked to `modelId` (MLflow's rule). */
export async function modelMetricInfos(
  store: Store,
  runId: string,
  modelId: string,
): Promise<ModelMetricInfo[]> {
  return (await latestModelMetrics(store, runId, modelId)).map((m) => ({
    ...m,
    run_id: runId,
    model_id: modelId,
  }));
}
