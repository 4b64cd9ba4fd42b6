/**
 * trove's tables in a store: `tables/<name>/`, each a Delta Lake table (`@trove/delta`) that any
 * Delta reader (delta-rs, polars, Spark, DuckDB over the files) reads with no trove and no server.
 * One table object per store and table in a process: it keeps the log it has replayed, so a later
 * snapshot lists only the commits after it.
 */
import { DeltaTable, defineSchema, type FileLayout } from '@trove/delta';
import type { StorageBackend } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import type { Store } from '../record/store.js';
import { TABLE_COLUMNS, type TableName } from './columns.js';
import { METRIC_FILE_SUMMARY } from './metric-summary-rows.js';

export interface TroveTable {
  name: TableName;
  delta: DeltaTable;
  /** The store key of a file of the table, from its path in the table. */
  key(path: string): string;
}

/**
 * The metrics table's files are sorted by run, metric and step and cut into row groups of 16,384
 * rows, each with min/max statistics, so a zoom into a few runs' steps reads only the groups in
 * its window (a run's metric of 100,000 steps is 7 groups); each file has its curve summary.
 */
const LAYOUTS: Partial<Record<TableName, FileLayout>> = {
  metrics: {
    sortBy: ['run_id', 'name', 'step'],
    rowGroupSize: 16_384,
    summary: METRIC_FILE_SUMMARY,
  },
};

const opened = new WeakMap<StorageBackend, Map<string, TroveTable>>();

export function openTroveTable(store: Store, name: TableName): TroveTable {
  const root = joinKey(store.metaPrefix, 'tables', name);
  let tables = opened.get(store.meta);
  if (!tables) {
    tables = new Map();
    opened.set(store.meta, tables);
  }
  let table = tables.get(root);
  if (!table) {
    const delta = new DeltaTable(store.meta, `${root}/`, {
      schema: defineSchema(TABLE_COLUMNS[name]),
      engineInfo: 'trove',
      ...(LAYOUTS[name] ? { layout: LAYOUTS[name] } : {}),
    });
    table = { name, delta, key: (path) => joinKey(root, decodeURIComponent(path)) };
    tables.set(root, table);
  }
  return table;
}
