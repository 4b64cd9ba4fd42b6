/**
 * `trove index`: commits the backlog (runs changed by writers that have not committed, or whose
 * writer died first), or with `rebuild` every table from the run folders. Markers are cleared
 * only where nothing can still be coming: a writer's `.done` marker (it finished before the folder
 * was read), or a marker older than the grace period of a run that has ended (a writer resuming
 * an ended run commits its own rows when it ends; one that died leaves a marker the next index
 * clears). A running run's marker stays until its writer ends.
 */
import type { Store } from '../record/store.js';
import { listBacklog } from './backlog.js';
import { commitRuns, compactTable, type OnDamaged, RUN_TABLES } from './commit-runs.js';
import { commitModels } from './models-table.js';
import { readContents } from './run-contents.js';
import { openTroveTable } from './tables.js';
import { warnDamaged } from './views.js';

export interface IndexOptions {
  /** Rebuild every table from the run folders (the rows are the same as the writers' commits). */
  rebuild?: boolean;
  /** Markers younger than this (ms) are left for their writers; default one hour. */
  graceMs?: number;
  /** Also compact every table's small files into large ones. */
  optimize?: boolean;
  /** Told of each run left out because its folder is damaged (default: a process warning). */
  onDamaged?: OnDamaged;
}

export interface IndexResult {
  /** Runs whose rows were committed. */
  runs: number;
  /** Backlog markers cleared. */
  cleared: number;
  /** Registered versions in the models table. */
  models: number;
  /** Runs left out because their folders are damaged (`trove verify` names what is wrong). */
  skipped: string[];
}

const DEFAULT_GRACE_MS = 60 * 60 * 1000;
/** Runs committed together: one commit a table for this many runs. */
const BATCH = 500;

export async function indexStore(store: Store, options: IndexOptions = {}): Promise<IndexResult> {
  const grace = options.graceMs ?? DEFAULT_GRACE_MS;
  const markers = await listBacklog(store);
  // Without tables (a store from before them), the backlog is every run.
  const runs = openTroveTable(store, 'runs').delta;
  const snapshot = await runs.snapshot();
  const whole = options.rebuild || snapshot.version < 0;
  // A rebuild also removes the rows of runs whose folders are gone.
  const ids = whole
    ? [
        ...new Set([
          ...(await store.listRunIds()),
          ...(snapshot.version < 0 ? [] : await runs.readAll(snapshot)).map((r) =>
            String(r.run_id),
          ),
        ]),
      ].sort()
    : [...new Set(markers.map((m) => m.runId))].sort();
  const skipped: string[] = [];
  const onDamaged: OnDamaged = (id, err) => {
    skipped.push(id);
    (options.onDamaged ?? warnDamaged)(id, err);
  };
  for (let i = 0; i < ids.length; i += BATCH) {
    await commitRuns(store, ids.slice(i, i + BATCH), { onDamaged });
  }
  const now = Date.now();
  const clearable: string[] = [];
  for (const marker of markers) {
    if (marker.done) {
      clearable.push(marker.key);
      continue;
    }
    if (now - marker.modified.getTime() < grace) continue;
    const contents = await readContents(store, marker.runId);
    if (contents === undefined || contents.record.status !== 'running') clearable.push(marker.key);
  }
  await store.meta.deleteMany(clearable);
  const models = await commitModels(store);
  if (options.optimize) for (const name of RUN_TABLES) await compactTable(store, name);
  return { runs: ids.length - skipped.length, cleared: clearable.length, models, skipped };
}
