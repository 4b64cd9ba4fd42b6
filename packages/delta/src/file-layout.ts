import type { Row } from './rows.js';
import type { DeltaSchema } from './schema.js';

// How a table's data files are laid out for readers that skip what a query does not need: rows
// sorted by a few columns and cut into row groups small enough that each group's min/max
// statistics (in the Parquet footer) let an engine pass over most of a file for a narrow
// filter. And a summary of each file, made by the writer while the rows are in memory, stored
// beside the table in `_summaries/` (a folder Delta readers never list and other engines' VACUUM
// skips, as it begins with `_`), named by the data file's path and recorded in the file's
// `add.tags`, so a reader finds it without listing.

/** The summaries' folder under the table root. */
export const SUMMARY_DIR = '_summaries/';

/** The `add.tags` key naming a data file's summary (its path relative to the table root). */
export const SUMMARY_TAG = 'summary';

export interface FileSummary {
  /** The summary file's columns. */
  schema: DeltaSchema;
  /** The summary rows of one data file's rows (given sorted as the file holds them). */
  summarize(rows: readonly Row[]): Row[];
}

export interface FileLayout {
  /** Columns the rows of each data file are sorted by, ascending, nulls first. */
  sortBy?: readonly string[];
  /** Rows per Parquet row group (the writer's default is 1,000, then 100,000). */
  rowGroupSize?: number;
  /** Written with each data file (its summary is what a reader reads instead of the file). */
  summary?: FileSummary;
}

/** The summary's path for a data file's path in the log (both relative to the table root). */
export function summaryPath(dataPath: string): string {
  return `${SUMMARY_DIR}${dataPath}`;
}

/** `rows` sorted by `columns` (a new array; the input keeps its order). */
export function sortRows(rows: readonly Row[], columns: readonly string[]): Row[] {
  const compare = (a: Row, b: Row) => {
    for (const column of columns) {
      const order = compareCells(a[column], b[column]);
      if (order !== 0) return order;
    }
    return 0;
  };
  // Rows often come in order already (a run's values, metric by metric, step by step): one
  // pass tells, where a sort of a million rows costs seconds.
  let sorted = true;
  for (let i = 1; sorted && i < rows.length; i++) {
    if (compare(rows[i - 1] as Row, rows[i] as Row) > 0) sorted = false;
  }
  return sorted ? [...rows] : [...rows].sort(compare);
}

function compareCells(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  // numbers and bigints compare with each other; strings by code unit, as Parquet's min/max
  // statistics of UTF-8 order them for the ASCII ids and names trove writes
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}
