/**
 * The tables' backlog: `tables/_backlog/<run>[.<writer>]`, one empty object per writer that is
 * changing a run whose rows the tables do not hold yet. A writer writes its marker before its
 * first change and deletes it once its rows are committed. A writer that ends without committing
 * (the store has no tables yet, or the commit failed) leaves `<…>.done` instead: its changes are
 * all in the folder, so the next `trove index` commits them and clears it at once. A search folds
 * in every run named here (running, finished but not committed, or whose writer died), so
 * results are never stale, and a listing of this one small prefix is all it costs.
 */
import { joinKey } from '../backend/keys.js';
import type { MetaLocation } from '../record/meta-io.js';

const BACKLOG = 'tables/_backlog';
const MARKER_RE = /^([0-9a-f]{32})(?:\.([0-9a-f]{8,32}))?(\.done)?$/;

export interface BacklogMarker {
  key: string;
  runId: string;
  /** When the marker was written (its writer started changing the run). */
  modified: Date;
  /** Written by a writer that has finished but could not commit: nothing more comes from it. */
  done: boolean;
}

export function backlogKey(
  store: MetaLocation,
  runId: string,
  writer?: string,
  done = false,
): string {
  const name = `${writer === undefined ? runId : `${runId}.${writer}`}${done ? '.done' : ''}`;
  return joinKey(store.metaPrefix, BACKLOG, name);
}

/** Marks a run as changed and not yet in the tables (idempotent). */
export async function markBacklog(store: MetaLocation, runId: string, writer?: string) {
  await store.meta.write(backlogKey(store, runId, writer), '');
}

export async function listBacklog(store: MetaLocation): Promise<BacklogMarker[]> {
  const prefix = joinKey(store.metaPrefix, `${BACKLOG}/`);
  const markers: BacklogMarker[] = [];
  for await (const entry of store.meta.list(prefix)) {
    const match = MARKER_RE.exec(entry.key.slice(prefix.length));
    if (match?.[1]) {
      markers.push({
        key: entry.key,
        runId: match[1],
        modified: entry.lastModified,
        done: match[3] !== undefined,
      });
    }
  }
  return markers;
}
