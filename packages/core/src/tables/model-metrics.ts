/**
 * Metrics linked to a logged model (MLflow 3's `log_metric(..., model_id=…)`): the run that logs
 * them keeps them in the run's history as any metric, and once more under
 * `events/model-metric/<model-id>/<name>.plx` (same `step|timestamp|metric` rows), which is how
 * the model finds its own. Streamed line by line.
 */
import { eventRowLines } from '../record/event-files.js';
import type { Store } from '../record/store.js';

/** The events folder (under the run's `events/`) of a logged model's metrics. */
export const MODEL_METRIC_DIR = 'model-metric';

export interface ModelMetric {
  key: string;
  value: number;
  step: number;
  /** Epoch milliseconds. */
  timestamp: number;
}

/** Every value `runId` logged for `modelId`, in logging order. */
async function modelMetrics(store: Store, runId: string, modelId: string): Promise<ModelMetric[]> {
  const out: ModelMetric[] = [];
  const prefix = `${modelId}/`;
  // Only this model's folder is listed (its files are named `<model id>/<metric>`): a search of
  // a run's models lists each one's files once, not every model's files for each.
  for (const file of await store.listEventFiles(runId, `${MODEL_METRIC_DIR}/${modelId}`)) {
    if (!file.name.startsWith(prefix)) continue;
    const key = file.name.slice(prefix.length);
    for await (const line of eventRowLines(store, file)) {
      const [step, time, value] = line.split('|');
      if (time === undefined || value === undefined) continue;
      out.push({ key, value: Number(value), step: Number(step || 0), timestamp: Date.parse(time) });
    }
  }
  return out;
}

/**
 * The latest value of each of the model's metrics, as MLflow's `LoggedModel.metrics`: the
 * greatest by step, then time, then value.
 */
export async function latestModelMetrics(
  store: Store,
  runId: string,
  modelId: string,
): Promise<ModelMetric[]> {
  const best = new Map<string, ModelMetric>();
  for (const m of await modelMetrics(store, runId, modelId)) {
    const seen = best.get(m.key);
    if (!seen || later(m, seen)) best.set(m.key, m);
  }
  return [...best.values()];
}

function later(a: ModelMetric, b: ModelMetric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value >= b.value;
}
