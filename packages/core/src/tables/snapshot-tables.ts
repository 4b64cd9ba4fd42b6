/**
 * A table's committed snapshot inside the engine (`snap_<table>_<n>`), from its Parquet files in
 * the local cache: a view, then, used again, a table in memory. A later search that finds the
 * same version reads it again; a new version is loaded beside it.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../record/store.js';
import { rowsSelect, type TableName } from './columns.js';
import { type Session, sqlString } from './engine.js';
import { attachSnapshotDatabase, type DerivedTables } from './snapshot-database.js';
import { localSnapshot } from './table-files.js';

let counter = 0;

export interface SnapshotOptions {
  /** Load the snapshot into memory now (not only on its second use). */
  inMemory?: boolean;
  /**
   * Keep it a view over its files, however often it is used: for a table too big to hold in
   * memory (a metrics table of 100,000,000 values), read by column and row group each time.
   */
  onDisk?: boolean;
  /**
   * Read it from a DuckDB database file kept in the user's cache, one a snapshot (made on first
   * use): for a big table scanned by a new process each time (`trove lineage`).
   */
  persisted?: boolean;
  /** With `persisted`: tables made from a table's rows, kept in its file beside them. */
  derived?: Partial<Record<TableName, DerivedTables>>;
  /** With `persisted`: tables whose file keeps only what is derived (their rows: a view). */
  withoutRows?: readonly TableName[];
}

/**
 * The engine relation holding `name`'s committed rows; undefined when the table does not exist.
 * The first use of a snapshot in a process is a view over its files (a one-shot command reads
 * only the columns and rows its query needs); a second use (or `inMemory`) loads it into
 * memory, so that a process searching again and again reads memory.
 */
export async function loadSnapshotTable(
  store: Store,
  name: TableName,
  session: Session,
  options: SnapshotOptions = {},
): Promise<string | undefined> {
  const snapshot = await localSnapshot(store, name);
  if (snapshot.version < 0) return undefined;
  // Data file names are unique ids, so the list names the snapshot whatever store it came from.
  const id = createHash('sha1')
    .update(`${name}\n${snapshot.paths.join('\n')}`)
    .digest('hex');
  if (options.persisted && snapshot.paths.length > 0) {
    const files = snapshot.paths.map(sqlString).join(', ');
    return (
      session.tables.get(`${id}:db`) ??
      remember(session, `${id}:db`, () =>
        attachSnapshotDatabase(
          session,
          name,
          snapshot,
          id,
          `read_parquet([${files}])`,
          options.derived?.[name],
          options.withoutRows?.includes(name),
        ),
      )
    );
  }
  let view = session.tables.get(id);
  if (!view) {
    view = remember(session, id, async () => {
      const engineName = `snap_${name}_${++counter}`;
      const source =
        snapshot.paths.length === 0
          ? rowsSelect(name, "'[]'")
          : `SELECT * FROM read_parquet([${snapshot.paths.map(sqlString).join(', ')}])`;
      await session.run(`CREATE VIEW ${engineName} AS ${source}`);
      return engineName;
    });
    if (!options.inMemory) return view;
  }
  if (options.onDisk) return view;
  const loaded = `${id}:loaded`;
  return (
    session.tables.get(loaded) ??
    remember(session, loaded, async () => {
      const source = await view;
      const engineName = `${source}_loaded`;
      await session.run(`CREATE TABLE ${engineName} AS SELECT * FROM ${source}`);
      return engineName;
    })
  );
}

function remember(session: Session, id: string, make: () => Promise<string>): Promise<string> {
  const made = make();
  session.tables.set(id, made);
  made.catch(() => session.tables.delete(id));
  return made;
}
