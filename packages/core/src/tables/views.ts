/**
 * The tables as the engine shows them to a query: for each, a view of its committed snapshot
 * with the rows of every backlog run replaced by what the run's folder holds now (runs still
 * open, writers that have not committed). Without a committed table (a store from before the
 * tables), every run is read from its folder.
 */
import type { Store } from '../record/store.js';
import { listBacklog } from './backlog.js';
import { rowsSelect, selectList } from './columns.js';
import { type OnDamaged, type RunTables, rowsOfRuns } from './commit-runs.js';
import type { Session } from './engine.js';
import { loadSnapshotTable, type SnapshotOptions } from './snapshot-tables.js';

/**
 * Creates a temporary view named after each table in `tables`, for `session`'s queries; returns
 * the engine names of the committed snapshots (undefined for a table not committed yet, '' with
 * `backlogOnly`) and how many backlog runs' rows replace committed ones. With `backlogOnly` (the
 * tables exist, and the caller reads their committed rows another way), only `backlog_ids` and
 * `backlog_<table>` are made: no committed file is fetched.
 */
export async function openViews(
  store: Store,
  session: Session,
  tables: readonly RunTables[],
  onDamaged: OnDamaged = warnDamaged,
  options: SnapshotOptions & { backlogOnly?: boolean } = {},
): Promise<{ committed: Map<RunTables, string | undefined>; backlog: number }> {
  const committed = new Map<RunTables, string | undefined>();
  for (const name of tables) {
    committed.set(
      name,
      options.backlogOnly ? '' : await loadSnapshotTable(store, name, session, options),
    );
  }
  const everyRun = [...committed.values()].some((t) => t === undefined);
  const ids = everyRun
    ? await store.listRunIds()
    : [...new Set((await listBacklog(store)).map((m) => m.runId))];
  const rows = await rowsOfRuns(store, ids, tables, onDamaged);
  await session.run(
    `CREATE OR REPLACE TEMP TABLE backlog_ids AS SELECT unnest(from_json($1::JSON, '["VARCHAR"]')) AS run_id`,
    [JSON.stringify(ids)],
  );
  for (const name of tables) {
    const backlog = `backlog_${name}`;
    await session.run(`CREATE OR REPLACE TEMP TABLE ${backlog} AS ${rowsSelect(name)}`, [
      JSON.stringify(rows[name]),
    ]);
    const table = committed.get(name);
    if (table !== '') await createView(session, name, table);
  }
  return { committed, backlog: ids.length };
}

/**
 * The view `name` over `table`, the engine name of its committed snapshot (undefined: none), with
 * the rows of the runs in `backlog_ids` taken from `backlog_<name>` (both made by `openViews`).
 */
export async function createView(
  session: Session,
  name: RunTables,
  table: string | undefined,
): Promise<void> {
  const backlog = `backlog_${name}`;
  const columns = selectList(name);
  const source =
    table === undefined
      ? `SELECT ${columns} FROM ${backlog}`
      : `SELECT ${columns} FROM ${table} WHERE run_id NOT IN (SELECT run_id FROM backlog_ids) UNION ALL SELECT ${columns} FROM ${backlog}`;
  await session.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${source}`);
}

/** By default a damaged run is left out of the results with a warning (the rest are listed). */
export function warnDamaged(runId: string, error: Error): void {
  process.emitWarning(`skipping run ${runId}: ${error.message}`, { code: 'TROVE_DAMAGED_RUN' });
}
