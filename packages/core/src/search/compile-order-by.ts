import type { OrderByItem } from './ast.js';
import { MLFLOW_STATUS } from './keys.js';
import { type Columns, type CompiledSql, keyValue, RUN_COLUMNS } from './run-columns.js';

/**
 * Compiles a parsed order-by list into the terms of a DuckDB ORDER BY (without the keywords),
 * MLflow's way: missing values last in either direction; for metrics NaN after every number
 * and before missing; then start time, newest first (unless ordered by already), then run id.
 * Map keys are bound `?` parameters.
 */
export function compileOrderBy(
  list: readonly OrderByItem[],
  columns: Columns = RUN_COLUMNS,
): CompiledSql {
  const params: unknown[] = [];
  const terms: string[] = [];
  let byStart = false;
  for (const { key, descending } of list) {
    const direction = descending ? 'DESC' : 'ASC';
    if (key.kind === 'attribute' && (key.name === 'start_time' || key.name === 'creation_time'))
      byStart = true;
    if (key.kind === 'metric') {
      const rank = keyValue(key, columns, params);
      const nan = keyValue(key, columns, params);
      terms.push(`CASE WHEN ${rank} IS NULL THEN 2 WHEN isnan(${nan}) THEN 1 ELSE 0 END`);
      terms.push(`${keyValue(key, columns, params)} ${direction}`);
      continue;
    }
    let value = keyValue(key, columns, params);
    if (key.kind === 'attribute' && key.name === 'status') {
      // Ordered by MLflow's names (FAILED < FINISHED < RUNNING), not trove's.
      const cases = Object.entries(MLFLOW_STATUS)
        .map(([trove, mlflow]) => `WHEN '${trove}' THEN '${mlflow}'`)
        .join(' ');
      value = `CASE ${value} ${cases} END`;
    }
    terms.push(`${value} ${direction} NULLS LAST`);
  }
  // A logged model's start is its creation, its id the model id.
  if (!byStart) terms.push(`${columns.start_time ?? columns.creation_time} DESC NULLS LAST`);
  terms.push(`${columns.run_id ?? columns.model_id} ASC`);
  return { sql: terms.join(', '), params };
}
