/**
 * A table snapshot's data files as local paths, for the query engine: Parquet files never change
 * once committed (a new version adds new files), so each is fetched once into the user's cache
 * folder (`<cache>/tables/<file name>`, names are unique ids) and read from there ever after. On
 * the local store the file is linked, not copied.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError } from '../errors.js';
import { userCacheDir } from '../project/cache-home.js';
import type { Store } from '../record/store.js';
import type { TableName } from './columns.js';
import { openTroveTable } from './tables.js';

const PARALLEL_FETCHES = 16;

export interface LocalSnapshot {
  /** The Delta version read; -1 when the table does not exist yet. */
  version: number;
  paths: string[];
  /** The Delta table's own id (its metaData's), the same at every version of that table. */
  tableId: string;
}

export async function localSnapshot(store: Store, name: TableName): Promise<LocalSnapshot> {
  try {
    return await fetchSnapshot(store, name, false);
  } catch (err) {
    // A file of the snapshot this process knew is gone (vacuumed, or the tables were removed
    // to be rebuilt): the log is read again from its start.
    if (!isTroveError(err, 'NOT_FOUND')) throw err;
    return fetchSnapshot(store, name, true);
  }
}

async function fetchSnapshot(
  store: Store,
  name: TableName,
  fresh: boolean,
): Promise<LocalSnapshot> {
  const table = openTroveTable(store, name);
  const snapshot = await table.delta.snapshot({ fresh });
  if (snapshot.version < 0) return { version: -1, paths: [], tableId: '' };
  const dir = join(userCacheDir(), 'tables');
  mkdirSync(dir, { recursive: true });
  const paths = await mapLimit(snapshot.files, PARALLEL_FETCHES, async (file) => {
    const local = join(dir, cacheName(file.path));
    if (!existsSync(local)) await fetchInto(store, table.key(file.path), local);
    return local;
  });
  return { version: snapshot.version, paths, tableId: snapshot.metadata?.id ?? '' };
}

/** `part-<uuid>.parquet` (maybe under partition folders) as one flat, unique file name. */
function cacheName(path: string): string {
  return path.replaceAll('/', '__');
}

/** Fetches under a temporary name and renames, so a half-fetched file is never read. */
async function fetchInto(store: Store, key: string, local: string): Promise<void> {
  const temp = `${local}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    if (store.meta.materialize) {
      await store.meta.materialize(key, temp, { linkTypes: ['hardlink', 'copy'] });
    } else {
      const { body } = await store.meta.read(key);
      await pipeline(body, createWriteStream(temp));
    }
    renameSync(temp, local);
  } finally {
    rmSync(temp, { force: true });
  }
}
