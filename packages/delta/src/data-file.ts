import { randomUUID } from 'node:crypto';
import type { AddFile } from './actions.js';
import { DeltaError } from './errors.js';
import { type FileLayout, SUMMARY_TAG, sortRows, summaryPath } from './file-layout.js';
import { encodeParquet, readParquetObjects } from './parquet-io.js';
import { dataFileSchema } from './parquet-schema.js';
import { type CellValue, type Row, rowsToColumns } from './rows.js';
import type { DeltaField, DeltaSchema } from './schema.js';
import { computeStats } from './stats.js';
import type { DeltaStorage } from './storage.js';

/** A data file ready to be written: its bytes and the `add` action that will name it. */
export interface EncodedFile {
  add: AddFile;
  bytes: Uint8Array;
  /** The file's summary (its path relative to the table root), when the table makes them. */
  summary?: { path: string; bytes: Uint8Array };
}

/** Columns of the data files: partition columns live in `partitionValues`, not in the file. */
function dataFields(
  schema: DeltaSchema,
  partitionColumns: readonly string[],
): Required<DeltaField>[] {
  return schema.fields.filter((f) => !partitionColumns.includes(f.name));
}

/**
 * Checks `rows` against the schema (throws `INVALID_ARGUMENT` before anything is written) and
 * encodes them as one Parquet file per distinct set of partition values.
 */
export function encodeDataFiles(
  schema: DeltaSchema,
  partitionColumns: readonly string[],
  rows: readonly Row[],
  options: { dataChange: boolean; label: string; layout?: FileLayout },
): EncodedFile[] {
  const layout = options.layout ?? {};
  rowsToColumns(schema, rows, options.label); // every column checked, partition ones included
  const groups = new Map<string, { values: Record<string, string | null>; rows: Row[] }>();
  for (const row of rows) {
    const values: Record<string, string | null> = {};
    for (const name of partitionColumns) {
      const value = (row[name] as string | null | undefined) ?? null;
      // The log cannot tell an empty partition value from null (both are ""): refuse it.
      if (value === '')
        throw new DeltaError(
          'INVALID_ARGUMENT',
          `${options.label}: partition column ${name} cannot be the empty string`,
        );
      values[name] = value;
    }
    const id = JSON.stringify(values);
    const group = groups.get(id) ?? { values, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  const fields = dataFields(schema, partitionColumns);
  const fileSchema = { fields };
  return [...groups.values()].map(({ values, rows: unsorted }) => {
    const part = sortRows(unsorted, layout.sortBy ?? []);
    const columns = rowsToColumns(
      fileSchema,
      part.map((r) => withoutPartitions(r, partitionColumns)),
      options.label,
    );
    const bytes = encodeColumns(fields, columns, layout.rowGroupSize);
    const path = `${partitionDirs(values)}part-00000-${randomUUID()}-c000.snappy.parquet`;
    const summary = layout.summary && {
      path: summaryPath(path),
      bytes: encodeRows(
        layout.summary.schema.fields,
        layout.summary.summarize(part),
        options.label,
      ),
    };
    const add: AddFile = {
      path,
      partitionValues: values,
      size: bytes.byteLength,
      modificationTime: Date.now(),
      dataChange: options.dataChange,
      stats: JSON.stringify(computeStats(fields, columns)),
      ...(summary ? { tags: { [SUMMARY_TAG]: summary.path } } : {}),
    };
    return summary ? { add, bytes, summary } : { add, bytes };
  });
}

/** Rows of a file that is not a data file of the table (a summary) as Parquet bytes. */
function encodeRows(fields: readonly Required<DeltaField>[], rows: readonly Row[], label: string) {
  return encodeColumns(fields, rowsToColumns({ fields: [...fields] }, rows, `${label} summary`));
}

function encodeColumns(
  fields: readonly Required<DeltaField>[],
  columns: unknown[][],
  rowGroupSize?: number,
): Uint8Array {
  return encodeParquet(
    dataFileSchema([...fields]),
    fields.map((f, i) => ({ name: f.name, data: columns[i] as CellValue[] })),
    rowGroupSize,
  );
}

/**
 * Hive-style folders for a partitioned file (`part=a/`), the reference implementation's layout,
 * which readers such as polars rely on: bytes outside [A-Za-z0-9_.-] of a value %-escaped, null
 * as `__HIVE_DEFAULT_PARTITION__`. The log path is a URI, so its `%` are escaped once more.
 */
function partitionDirs(values: Record<string, string | null>): string {
  const hiveEscape = (v: string) =>
    [...Buffer.from(v, 'utf8')]
      .map((b) =>
        /[A-Za-z0-9_.-]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
  return Object.entries(values)
    .map(([k, v]) =>
      `${k}=${v === null ? '__HIVE_DEFAULT_PARTITION__' : hiveEscape(v)}/`.replace(/%/g, '%25'),
    )
    .join('');
}

function withoutPartitions(row: Row, partitionColumns: readonly string[]): Row {
  if (partitionColumns.length === 0) return row;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!partitionColumns.includes(k)) out[k] = v;
  return out;
}

function toJs(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  return value;
}

/**
 * The rows of one data file of a table, partition columns filled in from the log: longs as
 * numbers (bigint beyond 2^53), timestamps as `Date` (millisecond precision), maps as objects.
 */
export async function readDataFile(
  storage: DeltaStorage,
  prefix: string,
  schema: DeltaSchema,
  file: AddFile,
): Promise<Row[]> {
  const rows = await readParquetObjects(
    storage,
    `${prefix}${decodeURIComponent(file.path)}`,
    file.size,
  );
  return rows.map((raw) => {
    const row: Row = {};
    for (const field of schema.fields) {
      row[field.name] =
        field.name in (file.partitionValues ?? {})
          ? (file.partitionValues[field.name] ?? null)
          : toJs(raw[field.name]);
    }
    return row;
  });
}
