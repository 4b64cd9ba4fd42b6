import { TroveError } from '../errors.js';
import type { FilterAst, FilterComparison } from './ast.js';
import {
  type Columns,
  type CompiledSql,
  keyPresent,
  keyValue,
  RUN_COLUMNS,
} from './run-columns.js';

/**
 * Compiles a parsed filter into a DuckDB boolean expression over the runs table, for a WHERE
 * clause. Every user value and every map key is a bound `?` parameter. Each comparison is
 * two-valued (`COALESCE(…, FALSE)`): a missing metric, param or tag makes it false, for `!=`
 * and `NOT IN` too, as in MLflow's SQL store, and stays false under any wrapping `NOT`.
 */
export function compileFilter(ast: FilterAst, columns: Columns = RUN_COLUMNS): CompiledSql {
  const params: unknown[] = [];
  return { sql: node(ast, columns, params), params };
}

function node(ast: FilterAst, columns: Columns, params: unknown[]): string {
  if (ast.kind === 'compare') return compare(ast, columns, params);
  if (ast.items.length === 0) return ast.kind === 'and' ? 'TRUE' : 'FALSE';
  const joiner = ast.kind === 'and' ? ' AND ' : ' OR ';
  return `(${ast.items.map((item) => node(item, columns, params)).join(joiner)})`;
}

function compare(c: FilterComparison, columns: Columns, params: unknown[]): string {
  const { key, op, value } = c;
  if (op === 'IS NULL') return `(NOT ${keyPresent(key, columns, params)})`;
  if (op === 'IS NOT NULL') return keyPresent(key, columns, params);
  let left = keyValue(key, columns, params);
  if (value.type === 'list') {
    params.push(...value.value);
    const marks = value.value.map(() => '?').join(', ');
    return `COALESCE(${left} ${op} (${marks}), FALSE)`;
  }
  if (value.type === 'number') {
    if (key.kind === 'metric') {
      // NaN is greater than every number in DuckDB; here it matches no comparison at all.
      // (MLflow's SQL store compares a NaN metric as 0, a quirk not copied.)
      const again = keyValue(key, columns, params);
      params.push(value.value);
      return `COALESCE(NOT isnan(${again}) AND ${left} ${op} ?, FALSE)`;
    }
    // Params and tags are text: against a number they compare as numbers where they parse as
    // one, and a value that does not parse matches nothing. MLflow refuses this form.
    if (key.kind !== 'attribute') left = `TRY_CAST(${left} AS DOUBLE)`;
    params.push(value.value);
    return `COALESCE(${left} ${op} ?, FALSE)`;
  }
  if (value.type === 'string') {
    params.push(value.value);
    return `COALESCE(${left} ${op} ?, FALSE)`;
  }
  throw new TroveError('INTERNAL', `${op} without a value`);
}
