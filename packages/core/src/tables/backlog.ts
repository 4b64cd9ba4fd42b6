/**
 * The tables' backlog: `tables/_backlog/<run>[.<writer>]`, one empty object per writer that is
 * changing a run whose rows the tables do not hold yet. A writer writes its marker before its
 * first change and deletes it once its rows are committed; a search folds in every run named
 * here (running, or whose writer died before committing), so results are never stale, and a
 * listing of this one small prefix is all it costs. `trove index` commits what is left.
 */
import { joinKey } from '../backend/keys.js';
import type { MetaLocation } from '../record/meta-io.js';

const BACKLOG = 'tables/_backlog';
const MARKER_RE = /^([0-9a-f]{32})(?:\.([0-9a-f]{8,32}))?$/;

export interface BacklogMarker {
  key: string;
  runId: string;
  /** When the marker was written (its writer started changing the run). */
  modified: Date;
}

export function backlogKey(store: MetaLocation, runId: string, writer?: string): string {
  return joinKey(store.metaPrefix, BACKLOG, writer === undefined ? runId : `${runId}.${writer}`);
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
    if (match?.[1]) markers.push({ key: entry.key, runId: match[1], modified: entry.lastModified });
  }
  return markers;
}
