/**
 * The tables' columns, defined once: the Delta schema each table is written with, the
 * DuckDB types rows not yet committed are read with, and the column lists queries select.
 */
type ColumnType =
  | 'string'
  | 'long'
  | 'double'
  | 'timestamp'
  | 'map<string,string>'
  | 'map<string,double>'
  | 'array<string>';

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

/** The tables a store keeps: four derived from the run folders, one from the registry. */
export type TableName = 'runs' | 'metrics' | 'artifacts' | 'lineage' | 'models';

const col = (name: string, type: ColumnType, nullable = true): Column => ({ name, type, nullable });

export const TABLE_COLUMNS: Readonly<Record<TableName, readonly Column[]>> = {
  runs: [
    col('run_id', 'string', false),
    col('name', 'string', false),
    col('experiment', 'string'),
    col('status', 'string', false),
    col('start_time', 'timestamp', false),
    col('end_time', 'timestamp'),
    col('user', 'string'),
    col('host', 'string'),
    col('git_commit', 'string'),
    col('git_branch', 'string'),
    col('tags', 'map<string,string>', false),
    col('params', 'map<string,string>', false),
    col('metrics', 'map<string,double>', false),
    col('artifact_count', 'long', false),
    col('updated_time', 'timestamp', false),
  ],
  metrics: [
    col('run_id', 'string', false),
    col('name', 'string', false),
    col('step', 'long'),
    col('timestamp', 'timestamp', false),
    col('value', 'double', false),
  ],
  artifacts: [
    col('run_id', 'string', false),
    col('path', 'string', false),
    col('name', 'string', false),
    col('type', 'string'),
    col('md5', 'string', false),
    col('size', 'long', false),
    col('nfiles', 'long'),
    col('step', 'long'),
    col('labels', 'array<string>', false),
    col('meta', 'string'),
    col('logged_at', 'timestamp', false),
  ],
  lineage: [
    col('run_id', 'string', false),
    col('direction', 'string', false),
    col('name', 'string', false),
    col('kind', 'string', false),
    col('path', 'string', false),
    col('md5', 'string'),
    col('timestamp', 'timestamp', false),
  ],
  models: [
    col('model', 'string', false),
    col('version', 'long', false),
    col('run_id', 'string'),
    col('source', 'string', false),
    col('md5', 'string', false),
    col('aliases', 'array<string>', false),
    col('tags', 'map<string,string>', false),
    col('description', 'string'),
    col('created_time', 'timestamp', false),
    col('updated_time', 'timestamp', false),
  ],
};

const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMPTZ',
  'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
  'map<string,double>': 'MAP(VARCHAR, DOUBLE)',
  'array<string>': 'VARCHAR[]',
};

/**
 * A SELECT of rows of `table` given as a JSON array (by default the first bound parameter), read
 * with the table's types: how rows that are not in Parquet files reach the engine.
 */
export function rowsSelect(table: TableName, json = '$1::JSON'): string {
  const shape: Record<string, string> = {};
  for (const c of TABLE_COLUMNS[table]) shape[c.name] = DUCKDB_TYPES[c.type];
  return `SELECT * FROM (SELECT unnest(from_json(${json}, '${JSON.stringify([shape])}'), recursive := true))`;
}

/** `"a", "b", …`: the table's columns, quoted for SQL (`user` is a keyword). */
export function selectList(table: TableName): string {
  return TABLE_COLUMNS[table].map((c) => `"${c.name}"`).join(', ');
}
