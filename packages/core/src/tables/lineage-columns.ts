/**
 * The lineage columns a walk reads, kept in the snapshot's DuckDB file in the user's cache (made
 * once a snapshot): `trove lineage` is a new process each time over every lineage row, and
 * decoding the Parquet files again each time cost more than the walk. The walk reads integers:
 * each run id, data key (md5, or a reference's path or URI), name and path has an id in a
 * dictionary of the file, and every row is ids (`walk_rows`: run, data, direction, name, path),
 * which the walk reads whole (`lineage-walk.ts`); only what it reached is looked up in the
 * dictionaries after, and a dataset's name or path is looked up in the same rows.
 */
import type { Store } from '../record/store.js';
import { Session } from './engine.js';
import { derivedTable } from './snapshot-database.js';
import type { SnapshotOptions } from './snapshot-tables.js';
import { openViews, warnDamaged } from './views.js';

/**
 * The dictionaries, each `(key, id)` with ids 0 … n - 1 in the keys' order, and the values of a
 * row it numbers: run ids; data keys; names and paths (what a dataset known only by its rows is
 * looked up by). Numbered in the keys' order, what a walk reached comes out of a lookup in the
 * order the graph sorts it by when ordered by id: an integer sort, not one of strings.
 */
const DICTIONARIES = {
  walk_runs: ['run_id'],
  walk_keys: ['coalesce(md5, path)'],
  walk_labels: ['name', 'path'],
} as const;

/** A row's direction as an id: `DIRECTIONS` in `lineage-walk.ts` names them. */
const DIRECTION_ID = "CASE direction WHEN 'input' THEN 0 WHEN 'reference' THEN 2 ELSE 1 END";

const dictionarySelect = (
  rows: string,
  values: readonly string[],
  where = (_value: string) => 'true',
  first = '0',
) =>
  `SELECT key, (${first} + row_number() OVER (ORDER BY key) - 1)::INTEGER AS id FROM (SELECT DISTINCT key FROM (
     ${values.map((v) => `SELECT ${v} AS key FROM ${rows} WHERE ${where(v)}`).join(' UNION ALL ')}))`;

/** A walk's rows as ids, through the dictionaries `runs`, `keys` and `labels`. */
const rowsSelect = (rows: string, dictionary: (name: keyof typeof DICTIONARIES) => string) =>
  `SELECT r.id AS run, k.id AS data, (${DIRECTION_ID})::INTEGER AS dir, n.id AS name, p.id AS path
     FROM ${rows} l
     JOIN ${dictionary('walk_runs')} r ON r.key = l.run_id
     JOIN ${dictionary('walk_keys')} k ON k.key = coalesce(l.md5, l.path)
     JOIN ${dictionary('walk_labels')} n ON n.key = l.name
     JOIN ${dictionary('walk_labels')} p ON p.key = l.path`;

/** The snapshot options of a walk's views: the lineage rows and its columns, from the file. */
export const PERSISTED: SnapshotOptions = {
  persisted: true,
  // The walk reads only the ids; a copy of every row cost the first walk more than the rest.
  withoutRows: ['lineage'],
  derived: {
    lineage: {
      ...Object.fromEntries(
        Object.entries(DICTIONARIES).map(([table, values]) => [
          table,
          dictionarySelect('{rows}', values),
        ]),
      ),
      // In the order a downward walk indexes them: inputs by data, the rest by run.
      walk_rows: `${rowsSelect('{rows}', (table) => `{db}.${table}`)}
        ORDER BY dir <> 0, CASE WHEN dir = 0 THEN k.id ELSE r.id END`,
    },
  },
};

/**
 * The walk's relations in `session`: `w_runs`, `w_keys`, `w_labels` (the dictionaries) and
 * `w_rows`. They are the file's tables, with the backlog runs' rows in place of their committed
 * ones: what the backlog adds to a dictionary gets the ids after the file's. Without a file (a
 * table not committed yet), every row is the backlog's.
 */
export async function walkColumns(
  session: Session,
  committed: string | undefined,
  backlog: number,
): Promise<void> {
  const file = (table: string) => (committed && derivedTable(committed, table)) || undefined;
  const fileRows = file('walk_rows');
  for (const [table, values] of Object.entries(DICTIONARIES)) {
    const name = `w_${table.slice('walk_'.length)}`;
    const cached = file(table) ?? '(SELECT NULL::VARCHAR AS key, NULL::INTEGER AS id LIMIT 0)';
    if (fileRows && backlog === 0) {
      await session.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM ${cached}`);
      continue;
    }
    // Made once: numbering in a view would number again (in any order) at every use.
    await session.run(
      `CREATE OR REPLACE TEMP TABLE ${name}_added AS ${dictionarySelect(
        'backlog_lineage',
        values,
        (value) => `${value} NOT IN (SELECT key FROM ${cached})`,
        `(SELECT count(*) FROM ${cached})`,
      )}`,
    );
    await session.run(
      `CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM ${cached} UNION ALL SELECT * FROM ${name}_added`,
    );
  }
  const fresh = rowsSelect('backlog_lineage', (table) => `w_${table.slice('walk_'.length)}`);
  const rows = !fileRows
    ? fresh
    : backlog === 0
      ? `SELECT * FROM ${fileRows}`
      : `SELECT * FROM ${fileRows} WHERE run NOT IN
           (SELECT id FROM w_runs WHERE key IN (SELECT run_id FROM backlog_ids))
         UNION ALL ${fresh}`;
  await session.run(`CREATE OR REPLACE TEMP VIEW w_rows AS ${rows}`);
}

/**
 * A dataset only used or referred to (no artifact of that name): every digest its lineage rows
 * recorded under that name, path or URI.
 */
export async function dataKeysNamed(store: Store, ref: string): Promise<string[]> {
  const session = await Session.open();
  try {
    const views = await openViews(store, session, ['lineage'], warnDamaged, PERSISTED);
    await walkColumns(session, views.committed.get('lineage'), views.backlog);
    // The label's id first: a condition on a subquery's value is not pushed into the scan.
    const [label] = await session.rows('SELECT id FROM w_labels WHERE key = $1', [ref]);
    if (!label) return [];
    const rows = await session.rows(
      `SELECT key FROM w_keys WHERE id IN
         (SELECT data FROM w_rows WHERE name = $1 OR path = $1) ORDER BY key`,
      [label.id],
    );
    return rows.map((r) => String(r.key));
  } finally {
    session.close();
  }
}
