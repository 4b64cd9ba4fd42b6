/**
 * The lineage columns a walk reads, kept in the snapshot's DuckDB file in the user's cache (made
 * once a snapshot): `trove lineage` is a new process each time over every lineage row, and
 * decoding the Parquet files again each time cost more than the walk. Each side is sorted by what
 * its lookups ask for, so that the engine skips the blocks holding no key it looks for.
 */
import type { Store } from '../record/store.js';
import { Session } from './engine.js';
import { derivedTable } from './snapshot-database.js';
import type { SnapshotOptions } from './snapshot-tables.js';
import { openViews, warnDamaged } from './views.js';

/**
 * Inputs and the rest apart, so that a hop reads only the half it walks along (names and paths
 * are read for the edges found only, at the end); each sorted for a downward hop.
 */
const WALK_SIDES = {
  walk_in: { where: "direction = 'input'", order: 'key' },
  walk_made: { where: "direction <> 'input'", order: 'run_id' },
};

const walkSelect = (rows: string, where: string) =>
  `SELECT run_id, coalesce(md5, path) AS key, direction FROM ${rows} WHERE ${where}`;

/** What a dataset known only by its lineage rows is called: each name and path, with its key. */
const namesSelect = (rows: string) =>
  `SELECT name AS label, coalesce(md5, path) AS key, run_id FROM ${rows} WHERE name IS NOT NULL
   UNION ALL SELECT path, coalesce(md5, path), run_id FROM ${rows}
     WHERE path IS NOT NULL AND path IS DISTINCT FROM name`;

/** The snapshot options of a walk's views: the lineage rows and its columns, from the file. */
export const PERSISTED: SnapshotOptions = {
  persisted: true,
  derived: {
    lineage: {
      ...Object.fromEntries(
        Object.entries(WALK_SIDES).map(([table, side]) => [
          table,
          `${walkSelect('{rows}', side.where)} ORDER BY ${side.order}`,
        ]),
      ),
      // Not sorted: a lookup by name scans it in tens of milliseconds, a sort costs seconds.
      walk_names: namesSelect('{rows}'),
    },
  },
};

/**
 * `walk_in` and `walk_made` for the hops: views of the file's tables with the backlog runs' rows
 * in place of their committed ones, or (no file: a table not committed yet) the same columns of
 * the lineage view, in memory once (the view reads its sources at every query).
 */
export async function walkColumns(
  session: Session,
  committed: string | undefined,
  backlog: number,
): Promise<void> {
  for (const [table, { where }] of Object.entries(WALK_SIDES)) {
    const cached = committed && derivedTable(committed, table);
    if (!cached) {
      await session.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${walkSelect('lineage', where)}`);
      continue;
    }
    await session.run(
      `CREATE OR REPLACE TEMP VIEW ${table} AS ${current(cached, backlog, walkSelect('backlog_lineage', where))}`,
    );
  }
}

/**
 * A dataset only used or referred to (no artifact of that name): every digest its lineage rows
 * recorded under that name, path or URI.
 */
export async function dataKeysNamed(store: Store, ref: string): Promise<string[]> {
  const session = await Session.open();
  try {
    const views = await openViews(store, session, ['lineage'], warnDamaged, PERSISTED);
    const committed = views.committed.get('lineage');
    const cached = committed && derivedTable(committed, 'walk_names');
    const names = cached
      ? current(cached, views.backlog, namesSelect('backlog_lineage'))
      : namesSelect('lineage');
    const rows = await session.rows(
      `SELECT DISTINCT key FROM (${names}) WHERE label = $1 ORDER BY key`,
      [ref],
    );
    return rows.map((r) => String(r.key));
  } finally {
    session.close();
  }
}

/** A cached table's rows with the backlog runs' rows (`fresh`) in place of their committed ones. */
function current(cached: string, backlog: number, fresh: string): string {
  return backlog === 0
    ? `SELECT * FROM ${cached}`
    : `SELECT * FROM ${cached} WHERE run_id NOT IN (SELECT run_id FROM backlog_ids) UNION ALL ${fresh}`;
}
