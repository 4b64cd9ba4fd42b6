/**
 * `trove gc` over the whole store: the content store's gc (`record/gc.ts`), then the tables'
 * vacuum — data files no snapshot uses any more (compacted, replaced, or written by a commit
 * that never landed), older than the grace period. A table file gets at least an hour whatever
 * the grace: a writer commits the files it has just written within seconds, and a search
 * fetching an older snapshot's files refetches the newer snapshot when one is gone.
 */
import {
  DEFAULT_GC_GRACE_MS,
  type GcOptions,
  type GcResult,
  gc as gcObjects,
} from '../record/gc.js';
import type { Store } from '../record/store.js';
import { TABLE_COLUMNS, type TableName } from './columns.js';
import { openTroveTable } from './tables.js';

const MIN_TABLE_GRACE_MS = 60 * 60 * 1000;

export async function gc(store: Store, options: GcOptions = {}): Promise<GcResult> {
  const result = await gcObjects(store, options);
  const olderThanMs = Math.max(options.grace ?? DEFAULT_GC_GRACE_MS, MIN_TABLE_GRACE_MS);
  for (const name of Object.keys(TABLE_COLUMNS) as TableName[]) {
    const delta = openTroveTable(store, name).delta;
    if ((await delta.snapshot()).version < 0) continue;
    const vacuumed = await delta.vacuum({ olderThanMs, dryRun: Boolean(options.dryRun) });
    for (const [i, key] of vacuumed.deleted.entries()) {
      result.removed.push({ key, size: vacuumed.sizes[i] ?? 0, kind: 'table-file' });
    }
    result.bytes += vacuumed.bytes;
  }
  return result;
}
