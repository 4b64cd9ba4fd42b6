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
import { SUMMARY_TAG } from '@trove/delta';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError } from '../errors.js';
import { userCacheDir } from '../project/cache-home.js';
import type { Store } from '../record/store.js';
import type { TableName } from './columns.js';
import { openTroveTable } from './tables.js';

/** Files of a table fetched at once into the cache. */
export const PARALLEL_FETCHES = 16;

export interface LocalSnapshot {
  /** The Delta version read; -1 when the table does not exist yet. */
  version: number;
  paths: string[];
  /** The Delta table's own id (its metaData's), the same at every version of that table. */
  tableId: string;
}

/** A data file of a snapshot: its path in the table, and its stored summary's where it has one. */
export interface TableFile {
  path: string;
  summary?: string;
}

/**
 * `use` of the newest snapshot's files (none, version -1, when the table does not exist). When
 * a file it fetches is gone (vacuumed, or the tables were removed to be rebuilt), the log is read
 * again from its start and `use` runs again on that snapshot.
 */
export async function withTableFiles<T>(
  store: Store,
  name: TableName,
  use: (version: number, files: TableFile[], tableId: string) => Promise<T>,
): Promise<T> {
  const attempt = async (fresh: boolean) => {
    const snapshot = await openTroveTable(store, name).delta.snapshot({ fresh });
    const files = snapshot.files.map((file): TableFile => {
      const summary = file.tags?.[SUMMARY_TAG];
      return summary ? { path: file.path, summary } : { path: file.path };
    });
    return use(snapshot.version, files, snapshot.metadata?.id ?? '');
  };
  try {
    return await attempt(false);
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND')) throw err;
    return attempt(true);
  }
}

/** The newest snapshot's data files, fetched into the cache folder. */
export function localSnapshot(store: Store, name: TableName): Promise<LocalSnapshot> {
  return withTableFiles(store, name, async (version, files, tableId) => ({
    version,
    paths: await mapLimit(files, PARALLEL_FETCHES, (file) =>
      fetchTableFile(store, name, file.path),
    ),
    tableId,
  }));
}

/**
 * A file of table `name` (a data file, or a summary under `_summaries/`) in the cache folder,
 * fetched once: its local path. `path` is the file's path in the table, as the log names it.
 */
export async function fetchTableFile(store: Store, name: TableName, path: string): Promise<string> {
  const dir = join(userCacheDir(), 'tables');
  mkdirSync(dir, { recursive: true });
  const local = join(dir, cacheName(path));
  if (!existsSync(local)) await fetchInto(store, openTroveTable(store, name).key(path), local);
  return local;
}

/**
 * `part-<uuid>.parquet` (maybe under partition folders, or under `_summaries/`) as one flat,
 * unique file name.
 */
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
