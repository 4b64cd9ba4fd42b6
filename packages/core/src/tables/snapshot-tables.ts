/**
 * A table's committed snapshot inside the engine: loaded once per Delta version into an engine
 * table (`snap_<table>_<n>`), from its Parquet files in the local cache. A later search that finds
 * the same version reads that table again; a new version is loaded beside it.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../record/store.js';
import { duckJsonShape, type TableName } from './columns.js';
import type { Session } from './engine.js';
import { localSnapshot } from './table-files.js';

let counter = 0;

/** The engine table holding `name`'s committed rows; undefined when the table does not exist. */
export async function loadSnapshotTable(
  store: Store,
  name: TableName,
  session: Session,
): Promise<string | undefined> {
  const snapshot = await localSnapshot(store, name);
  if (snapshot.version < 0) return undefined;
  // Data file names are unique ids, so the list names the snapshot whatever store it came from.
  const id = createHash('sha1')
    .update(`${name}\n${snapshot.paths.join('\n')}`)
    .digest('hex');
  let table = session.tables.get(id);
  if (!table) {
    const engineName = `snap_${name}_${++counter}`;
    table = (async () => {
      if (snapshot.paths.length === 0) {
        await session.run(
          `CREATE TABLE ${engineName} AS SELECT * FROM (SELECT unnest(from_json('[]', '${duckJsonShape(name)}'), recursive := true))`,
        );
      } else {
        await session.run(`CREATE TABLE ${engineName} AS SELECT * FROM read_parquet($1)`, [
          session.list(snapshot.paths),
        ]);
      }
      return engineName;
    })();
    session.tables.set(id, table);
    table.catch(() => session.tables.delete(id));
  }
  return table;
}
