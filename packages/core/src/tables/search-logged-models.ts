/**
 * `searchLoggedModels`: MLflow 3's `search_logged_models` over the store's logged models
 * (`models/<id>.json`), in the runs search's grammar and engine (attributes as MLflow names them:
 * `name`, `model_type`, `source_run_id`, `creation_timestamp`, …; `metrics.`, `params.`, `tags.`).
 * A model's metrics are the values its run logged with its model id (`events/model-metric/<id>/`),
 * the latest of each; the documents are the source of truth, so a result is never stale.
 */
import { TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { type LoggedModelRef, listLoggedModels } from '../registry/logged-models.js';
import { compileFilter } from '../search/compile-filter.js';
import { compileOrderBy } from '../search/compile-order-by.js';
import { LOGGED_MODEL_GRAMMAR } from '../search/keys.js';
import { parseFilter } from '../search/parse-filter.js';
import { parseOrderBy } from '../search/parse-order-by.js';
import type { LoggedModelColumns } from '../search/run-columns.js';
import { Session } from './engine.js';
import { latestModelMetrics } from './model-metrics.js';

export interface SearchLoggedModelsOptions {
  /** MLflow's `search_logged_models` filter, plus `or` and parentheses. */
  filter?: string;
  /** `metrics.acc DESC`, `creation_timestamp`, …; default: newest first. */
  orderBy?: readonly string[];
  limit?: number;
  /** Only the models of these experiments (ids). */
  experimentIds?: readonly string[];
}

/** One logged model as the search returns it. */
export interface LoggedModelRow {
  model_id: string;
  name: string;
  experiment_id: string | null;
  model_type: string | null;
  source_run_id: string | null;
  creation_time: Date;
  last_updated_time: Date;
  step: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  /** The model directory's content (absent in documents from before logged models stood apart). */
  md5: string | null;
}

const SHAPE = {
  model_id: 'VARCHAR',
  name: 'VARCHAR',
  experiment_id: 'VARCHAR',
  model_type: 'VARCHAR',
  source_run_id: 'VARCHAR',
  creation_time: 'TIMESTAMPTZ',
  last_updated_time: 'TIMESTAMPTZ',
  step: 'BIGINT',
  params: 'MAP(VARCHAR, VARCHAR)',
  tags: 'MAP(VARCHAR, VARCHAR)',
  metrics: 'MAP(VARCHAR, DOUBLE)',
  md5: 'VARCHAR',
};

const COLUMNS: LoggedModelColumns = {
  model_id: '"model_id"',
  name: '"name"',
  model_type: '"model_type"',
  source_run_id: '"source_run_id"',
  experiment_id: '"experiment_id"',
  creation_time: '"creation_time"',
  last_updated_time: '"last_updated_time"',
  tags: '"tags"',
  params: '"params"',
  metrics: '"metrics"',
};

export async function searchLoggedModels(
  store: Store,
  options: SearchLoggedModelsOptions = {},
): Promise<LoggedModelRow[]> {
  const where = compileFilter(parseFilter(options.filter ?? '', LOGGED_MODEL_GRAMMAR), COLUMNS);
  const order = compileOrderBy(parseOrderBy(options.orderBy ?? [], LOGGED_MODEL_GRAMMAR), COLUMNS);
  const { limit, experimentIds } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
    throw new TroveError('INVALID_ARGUMENT', `limit must be a whole number ≥ 0, not ${limit}.`);
  const wanted = experimentIds === undefined ? undefined : new Set(experimentIds);
  const refs = (await listLoggedModels(store)).filter(
    (ref) => wanted === undefined || wanted.has(ref.experimentId ?? '0'),
  );
  const rows = await Promise.all(refs.map((ref) => rowOf(store, ref)));
  const session = await Session.open();
  try {
    await session.run(
      `CREATE OR REPLACE TEMP TABLE logged_models AS SELECT * FROM (SELECT unnest(from_json($1::JSON, '${JSON.stringify([SHAPE])}'), recursive := true))`,
      [JSON.stringify(rows)],
    );
    const found = await session.rows(
      `SELECT ${Object.keys(SHAPE)
        .map((c) => `"${c}"`)
        .join(', ')} FROM logged_models` +
        (where.sql ? ` WHERE ${where.sql}` : '') +
        ` ORDER BY ${order.sql}` +
        (limit === undefined ? '' : ` LIMIT ${limit}`),
      [...where.params, ...order.params],
    );
    return found as unknown as LoggedModelRow[];
  } finally {
    session.close();
  }
}

async function rowOf(store: Store, ref: LoggedModelRef): Promise<Record<string, unknown>> {
  const created = new Date(ref.creationTimestamp).toISOString();
  return {
    model_id: ref.modelId,
    name: ref.name,
    experiment_id: ref.experimentId ?? null,
    model_type: ref.modelType ?? null,
    source_run_id: ref.runId ?? null,
    creation_time: created,
    last_updated_time: created,
    step: ref.step ?? 0,
    params: ref.params ?? {},
    tags: ref.tags ?? {},
    metrics:
      ref.runId === undefined
        ? {}
        : Object.fromEntries(
            (await latestModelMetrics(store, ref.runId, ref.modelId)).map((m) => [m.key, m.value]),
          ),
    md5: ref.md5 ?? null,
  };
}
