/**
 * trove's tables in a store: `tables/<name>/`, each a Delta Lake table (`@trove/delta`) that any
 * Delta reader (delta-rs, polars, Spark, DuckDB over the files) reads with no trove and no server.
 * One table object per store and table in a process: it keeps the log it has replayed, so a later
 * snapshot lists only the commits after it.
 */
import { DeltaTable, defineSchema } from '@trove/delta';
import type { StorageBackend } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import type { Store } from '../record/store.js';
import { TABLE_COLUMNS, type TableName } from './columns.js';

export interface TroveTable {
  name: TableName;
  delta: DeltaTable;
  /** The store key of a file of the table, from its path in the table. */
  key(path: string): string;
}

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
    });
    table = { name, delta, key: (path) => joinKey(root, decodeURIComponent(path)) };
    tables.set(root, table);
  }
  return table;
}
