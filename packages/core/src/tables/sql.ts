/**
 * `trove sql`: users' SQL over the tables (`runs`, `metrics`, `artifacts`, `lineage`, `models`),
 * each as current as a search (backlog runs folded in, registered versions from the registry).
 * It runs on an engine instance of its own that is locked down once the tables are in: the query reads those tables and nothing else, no file, no
 * network, so `COPY … TO` or `read_csv('/etc/…')` are refused by the engine.
 */
import { TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { rowsSelect } from './columns.js';
import { RUN_TABLES } from './commit-runs.js';
import { Session } from './engine.js';
import { modelRows } from './models-table.js';
import { openViews } from './views.js';

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export async function sql(store: Store, query: string): Promise<SqlResult> {
  if (typeof query !== 'string' || query.trim() === '') {
    throw new TroveError('INVALID_ARGUMENT', 'Give a SQL query, e.g. "SELECT count(*) FROM runs".');
  }
  const session = await Session.isolated();
  try {
    // In memory: once locked down, the engine reads no file, the snapshot's files included.
    await openViews(store, session, RUN_TABLES, undefined, { inMemory: true });
    // Registered versions straight from the registry documents (small, and the truth).
    await session.run(`CREATE TEMP TABLE models AS ${rowsSelect('models')}`, [
      JSON.stringify(await modelRows(store)),
    ]);
    await session.lockDown();
    try {
      return await session.query(query);
    } catch (err) {
      throw new TroveError('INVALID_ARGUMENT', `The query failed: ${(err as Error).message}`, {
        cause: err,
        hint: 'Tables: runs, metrics, artifacts, lineage, models (docs/tables.md lists their columns).',
      });
    }
  } finally {
    session.close();
  }
}
