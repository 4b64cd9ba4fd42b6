import { TroveError } from '../errors.js';
import type { FilterKey, LoggedModelAttribute, RunAttribute } from './ast.js';

/**
 * The runs table as DuckDB sees its Parquet files: one SQL expression per column. The defaults
 * are the quoted column names; a caller that joins or aliases the table passes its own.
 */
type RunColumn = RunAttribute | 'tags' | 'params' | 'metrics';
export type RunColumns = Readonly<Record<RunColumn, string>>;
/** The columns of a table of logged models, for the same compilers. */
export type LoggedModelColumns = Readonly<
  Record<LoggedModelAttribute | 'tags' | 'params' | 'metrics', string>
>;
/** Either table's columns: what the compilers take. */
export type Columns = Readonly<Partial<Record<RunColumn | LoggedModelAttribute, string>>>;

const TIMES: ReadonlySet<string> = new Set([
  'start_time',
  'end_time',
  'updated_time',
  'creation_time',
  'last_updated_time',
]);

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
export function keyValue(key: FilterKey, columns: Columns, params: unknown[]): string {
  if (key.kind !== 'attribute') {
    params.push(key.name);
    return `map_extract_value(${column(columns, MAP_COLUMN[key.kind])}, ?)`;
  }
  const sql = column(columns, key.name);
  return TIMES.has(key.name) ? `epoch_ms(${sql})` : sql;
}

function column(columns: Columns, name: RunColumn | LoggedModelAttribute): string {
  const sql = columns[name];
  // The grammar that parsed the key and the table compiled against are one pair.
  if (sql === undefined) throw new TroveError('INTERNAL', `No column for ${name}.`);
  return sql;
}

/** `map_contains(<map>, ?)` for a metric, param or tag key. */
export function keyPresent(key: FilterKey, columns: Columns, params: unknown[]): string {
  if (key.kind === 'attribute') return `(${column(columns, key.name)} IS NOT NULL)`;
  params.push(key.name);
  return `map_contains(${column(columns, MAP_COLUMN[key.kind])}, ?)`;
}
