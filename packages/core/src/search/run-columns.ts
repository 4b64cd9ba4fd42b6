import type { FilterKey, RunAttribute } from './ast.js';

/**
 * The runs table as DuckDB sees its Parquet files: one SQL expression per column. The defaults
 * are the quoted column names; a caller that joins or aliases the table passes its own.
 */
type RunColumn = RunAttribute | 'tags' | 'params' | 'metrics';
export type RunColumns = Readonly<Record<RunColumn, string>>;

const NAMES: readonly RunColumn[] = [
  'run_id',
  'name',
  'status',
  'start_time',
  'end_time',
  'updated_time',
  'user',
  'experiment',
  'host',
  'git_commit',
  'git_branch',
  'artifact_count',
  'tags',
  'params',
  'metrics',
];

export const RUN_COLUMNS: RunColumns = Object.fromEntries(
  NAMES.map((name) => [name, `"${name}"`]),
) as Record<RunColumn, string>;

/** A compiled clause: SQL with `?` placeholders, and the values bound to them in order. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: unknown[];
}

const MAP_COLUMN = { metric: 'metrics', param: 'params', tag: 'tags' } as const;

/**
 * The SQL for a key's value, with its map key (if any) pushed onto `params`: never spliced in.
 * Times are epoch milliseconds, as MLflow compares them.
 */
export function keyValue(key: FilterKey, columns: RunColumns, params: unknown[]): string {
  if (key.kind !== 'attribute') {
    params.push(key.name);
    return `map_extract_value(${columns[MAP_COLUMN[key.kind]]}, ?)`;
  }
  const column = columns[key.name];
  const time = key.name === 'start_time' || key.name === 'end_time' || key.name === 'updated_time';
  return time ? `epoch_ms(${column})` : column;
}

/** `map_contains(<map>, ?)` for a metric, param or tag key. */
export function keyPresent(key: FilterKey, columns: RunColumns, params: unknown[]): string {
  if (key.kind === 'attribute') return `(${columns[key.name]} IS NOT NULL)`;
  params.push(key.name);
  return `map_contains(${columns[MAP_COLUMN[key.kind]]}, ?)`;
}
