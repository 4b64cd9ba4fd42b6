/**
 * A table snapshot kept as a DuckDB database file in the user's cache folder
 * (`<cache>/tables/db/<table>-<table id>-v<version>-<files hash>.duckdb`), for the commands that
 * scan a big table in a new process each time (`trove lineage`): attaching a DuckDB file reads
 * only the blocks a query touches, already decoded, where the Parquet files are decoded again at
 * every first use. It is made once per snapshot (under a temporary name, then renamed, so a
 * half-made file is never attached) and the same table's files of other snapshots are removed
 * then: the cache holds one a table, and it can always be made again from the Parquet files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { userCacheDir } from '../project/cache-home.js';
import type { TableName } from './columns.js';
import { type Session, sqlString } from './engine.js';
import type { LocalSnapshot } from './table-files.js';

let attached = 0;

/** The database each rows relation's derived tables are in (`derivedTable`). */
const databases = new Map<string, string>();

/**
 * Tables made from a snapshot's rows and kept beside them in its file, by name, in this order: a
 * query that reads the rows as `{rows}` (and a table made before it as `{db}.<name>`). Their
 * names in the engine come from `derivedTable`.
 */
export type DerivedTables = Readonly<Record<string, string>>;

/**
 * Attaches (read-only) the database file of `snapshot`, making it first when the cache has none;
 * returns the engine name of its rows (`<database>.snapshot`). With `withoutRows` the file holds
 * only the derived tables (made straight from `source`), and the rows are a view over `source`:
 * for a table whose rows no frequent query reads, the copy cost more than everything derived.
 */
export async function attachSnapshotDatabase(
  session: Session,
  name: TableName,
  snapshot: LocalSnapshot,
  id: string,
  source: string,
  derived: DerivedTables = {},
  withoutRows = false,
): Promise<string> {
  const dir = join(userCacheDir(), 'tables', 'db');
  const family = `${name}-${snapshot.tableId}-`;
  // A change to what is derived (a later trove) names a new file, never reads an old one.
  const hash = createHash('sha1')
    .update(`${id}\n${JSON.stringify(derived)}${withoutRows ? '\nwithout rows' : ''}`)
    .digest('hex');
  const file = join(dir, `${family}v${snapshot.version}-${hash.slice(0, 16)}.duckdb`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const building = `build_${name}_${++attached}`;
    try {
      await session.run(`ATTACH ${sqlString(temp)} AS ${building}`);
      if (!withoutRows) {
        await session.run(`CREATE TABLE ${building}.snapshot AS SELECT * FROM ${source}`);
      }
      for (const [table, query] of Object.entries(derived)) {
        const rows = query
          .replaceAll('{rows}', withoutRows ? source : `${building}.snapshot`)
          .replaceAll('{db}', building);
        await session.run(`CREATE TABLE ${building}.${table} AS ${rows}`);
      }
      await session.run(`DETACH ${building}`);
      renameSync(temp, file);
    } finally {
      await session.run(`DETACH DATABASE IF EXISTS ${building}`);
      rmSync(temp, { force: true });
      rmSync(`${temp}.wal`, { force: true });
    }
    removeOthers(dir, family, file);
  }
  const alias = `db_${name}_${++attached}`;
  await session.run(`ATTACH ${sqlString(file)} AS ${alias} (READ_ONLY)`);
  const rows = withoutRows ? `${alias}_rows` : `${alias}.snapshot`;
  if (withoutRows) await session.run(`CREATE VIEW ${rows} AS SELECT * FROM ${source}`);
  databases.set(rows, alias);
  return rows;
}

/** Older than this, a file being made was left by a process that died (a build takes seconds). */
const ABANDONED_MS = 60 * 60 * 1000;

/**
 * The files of the same table's other snapshots (never another table's), and files being made
 * that a dead process left. A process that has one attached keeps reading it where the system
 * lets an open file be removed; where it does not, the file stays until a later snapshot's turn.
 */
function removeOthers(dir: string, family: string, keep: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!entry.startsWith(family) || path === keep) continue;
    if (!entry.endsWith('.duckdb') && !isAbandoned(path)) continue;
    try {
      rmSync(path, { force: true });
    } catch {
      // Still open in another process on a system that refuses: removed at a later turn.
    }
  }
}

function isAbandoned(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ABANDONED_MS;
  } catch {
    return false;
  }
}

/** The engine name of the derived table `table` beside the rows `snapshot` names. */
export function derivedTable(snapshot: string, table: string): string | undefined {
  const database = databases.get(snapshot);
  return database === undefined ? undefined : `${database}.${table}`;
}
