/**
 * The columns of a runs listing (`trove runs ls|search --columns …`): attributes by name, params,
 * metrics and tags as `params.<key>`, `metrics.<key>`, `tags.<key>`, as the filter names them.
 */
import { type RunRow, TroveError } from '@trove/core';

const ATTRIBUTES: Readonly<Record<string, keyof RunRow>> = {
  id: 'run_id',
  run_id: 'run_id',
  name: 'name',
  status: 'status',
  started: 'start_time',
  start_time: 'start_time',
  ended: 'end_time',
  end_time: 'end_time',
  user: 'user',
  host: 'host',
  experiment: 'experiment',
  artifacts: 'artifact_count',
  git_commit: 'git_commit',
  git_branch: 'git_branch',
};

export const DEFAULT_COLUMNS = ['id', 'name', 'status', 'started', 'artifacts'];

const MAPS = ['params', 'metrics', 'tags'] as const;

/** A column's value in a row; throws `INVALID_ARGUMENT` for a column no run can have. */
export function columnValue(row: RunRow, column: string): unknown {
  const attribute = ATTRIBUTES[column];
  if (attribute) return row[attribute];
  const dot = column.indexOf('.');
  const map = column.slice(0, dot) as (typeof MAPS)[number];
  if (dot > 0 && MAPS.includes(map)) {
    return (row[map] as Record<string, unknown>)[column.slice(dot + 1)];
  }
  throw new TroveError('INVALID_ARGUMENT', `Unknown column ${JSON.stringify(column)}.`, {
    hint: `Columns: ${Object.keys(ATTRIBUTES).join(', ')}, params.<key>, metrics.<key>, tags.<key>.`,
  });
}

/** A cell as a table shows it: dates in ISO, absent values empty, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
