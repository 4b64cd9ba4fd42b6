/**
 * Artifacts found through the tables (committed snapshot plus the backlog, as a search sees
 * them), so that naming an artifact or listing artifacts costs a query, not a read of every run.
 * The run folder is still what a caller reads for the full record.
 */
import type { Store } from '../record/store.js';
import type { OnDamaged, RunTables } from './commit-runs.js';
import { Session } from './engine.js';
import type { ArtifactRow, LineageTableRow } from './rows.js';
import { openViews } from './views.js';

/** The run and logical path of the newest artifact called `name`; undefined when none is. */
export async function findArtifactByName(
  store: Store,
  name: string,
  onDamaged?: OnDamaged,
): Promise<{ runId: string; path: string } | undefined> {
  const [row] = await queryTable(
    store,
    'artifacts',
    'SELECT run_id, path FROM artifacts WHERE name = ? ORDER BY logged_at DESC, run_id DESC LIMIT 1',
    [name],
    onDamaged,
  );
  return row && { runId: String(row.run_id), path: String(row.path) };
}

/**
 * Versions of a name are numbered 1, 2, … in logging order (time logged, then run id and path
 * for a tie), the way `name:v<N>` counts them.
 */
const VERSION_ORDER = 'logged_at, run_id, path';

/** The run and logical path of the `n`-th artifact called `name`; undefined when there is none. */
export async function findArtifactVersion(
  store: Store,
  name: string,
  n: number,
): Promise<{ runId: string; path: string } | undefined> {
  const [row] = await queryTable(
    store,
    'artifacts',
    `SELECT run_id, path FROM artifacts WHERE name = ? ORDER BY ${VERSION_ORDER} LIMIT 1 OFFSET ?`,
    [name, n - 1],
  );
  return row && { runId: String(row.run_id), path: String(row.path) };
}

/** The version number of each artifact of `names`, keyed `<run id>/<path>`. */
export async function artifactVersionNumbers(
  store: Store,
  names: readonly string[],
): Promise<Map<string, number>> {
  const rows = await queryTable(
    store,
    'artifacts',
    `SELECT run_id, path, row_number() OVER (PARTITION BY name ORDER BY ${VERSION_ORDER}) AS n
     FROM artifacts WHERE list_contains(from_json(?::JSON, '["VARCHAR"]'), name)`,
    [JSON.stringify(names)],
  );
  return new Map(rows.map((r) => [`${String(r.run_id)}/${String(r.path)}`, Number(r.n)]));
}

/**
 * The newest input or reference row whose name, path or URI is `ref`: its run, name and path
 * (the run's own row says whether it only points at data).
 */
export async function findReference(
  store: Store,
  ref: string,
): Promise<{ runId: string; name: string; path: string } | undefined> {
  const [row] = await queryTable(
    store,
    'lineage',
    `SELECT run_id, name, path FROM lineage
      WHERE (name = $1 OR path = $1) AND direction <> 'output'
      ORDER BY timestamp DESC, run_id DESC LIMIT 1`,
    [ref],
  );
  return row && { runId: String(row.run_id), name: String(row.name), path: String(row.path) };
}

export interface ListArtifactsOptions {
  /** Only artifacts of this type. */
  type?: string;
  /** Told of each run left out because its folder is damaged (default: a process warning). */
  onDamaged?: OnDamaged;
}

/** Every artifact of every run, newest run first, by logical path within a run. */
export async function listArtifacts(
  store: Store,
  options: ListArtifactsOptions = {},
): Promise<ArtifactRow[]> {
  const rows = await queryTable(
    store,
    'artifacts',
    `SELECT * FROM artifacts${options.type === undefined ? '' : ' WHERE type = ?'} ORDER BY run_id DESC, path`,
    options.type === undefined ? [] : [options.type],
    options.onDamaged,
  );
  return rows.map(
    (row) => ({ ...row, labels: (row.labels as string[] | null) ?? [] }) as ArtifactRow,
  );
}

/** One query over one table's view (committed rows plus the backlog's). */
async function queryTable(
  store: Store,
  table: RunTables,
  sql: string,
  params: readonly unknown[],
  onDamaged?: OnDamaged,
): Promise<Record<string, unknown>[]> {
  const session = await Session.open();
  try {
    await openViews(store, session, [table], onDamaged);
    return await session.rows(sql, params);
  } finally {
    session.close();
  }
}

/** The lineage rows (every run's) of the content `md5`: which runs made, used or referred to it. */
export async function findLineage(store: Store, md5: string): Promise<LineageTableRow[]> {
  const rows = await queryTable(
    store,
    'lineage',
    'SELECT * FROM lineage WHERE md5 = ? ORDER BY timestamp, run_id',
    [md5],
  );
  return rows as unknown as LineageTableRow[];
}
