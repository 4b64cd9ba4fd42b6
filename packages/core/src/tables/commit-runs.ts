/**
 * Commits runs' rows into the tables: for each table, the rows of those runs are replaced by the
 * rows their folders give now, in one Delta commit. Replacing (not appending) makes a commit
 * idempotent: made twice, after a lost answer or by two writers, it leaves one set of rows a run.
 * Files that may hold rows of the runs are found by their `run_id` statistics, read, and rewritten
 * without those rows; on a conflict the plan is made again on the newer snapshot.
 */
import type { AddFile, Row } from '@trove/delta';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError, type TroveError } from '../errors.js';
import type { RunContents } from '../record/run-folder.js';
import type { Store } from '../record/store.js';
import { type BacklogMarker, listBacklog } from './backlog.js';
import type { TableName } from './columns.js';
import { metricRows } from './metric-rows.js';
import { artifactRows, lineageRows, pushAll, runRow } from './rows.js';
import { readContents } from './run-contents.js';
import { openTroveTable } from './tables.js';

const PARALLEL_READS = 16;
const COMPACT_EVERY = 50;
const TARGET_FILE_ROWS: Readonly<Record<TableName, number>> = {
  runs: 100_000,
  metrics: 1_000_000,
  artifacts: 200_000,
  lineage: 200_000,
  models: 200_000,
};

/** Told of a run whose folder is damaged; the run is left out instead of failing the whole. */
export type OnDamaged = (runId: string, error: TroveError) => void;

/** The tables derived from the run folders (`models` is derived from the registry). */
export type RunTables = Exclude<TableName, 'models'>;
export const RUN_TABLES: readonly RunTables[] = ['runs', 'metrics', 'artifacts', 'lineage'];

/** Each table's new rows for `runIds` (a run that is gone has none: its rows are removed). */
export async function rowsOfRuns(
  store: Store,
  runIds: readonly string[],
  tables: readonly RunTables[] = RUN_TABLES,
  onDamaged?: OnDamaged,
): Promise<Record<RunTables, Row[]>> {
  const out: Record<RunTables, Row[]> = { runs: [], metrics: [], artifacts: [], lineage: [] };
  const want = new Set(tables);
  const updated = new Date();
  await mapLimit(runIds, PARALLEL_READS, async (id) => {
    let contents: RunContents | undefined;
    try {
      contents = await readContents(store, id, { lineage: want.has('lineage') });
    } catch (err) {
      if (!onDamaged || !isTroveError(err, 'CORRUPT')) throw err;
      onDamaged(id, err);
    }
    if (!contents) return;
    if (want.has('runs')) out.runs.push(runRow(contents, updated) as unknown as Row);
    if (want.has('artifacts')) pushAll(out.artifacts, artifactRows(contents) as unknown as Row[]);
    if (want.has('lineage')) pushAll(out.lineage, lineageRows(contents) as unknown as Row[]);
    if (want.has('metrics'))
      pushAll(out.metrics, (await metricRows(store, id)) as unknown as Row[]);
  });
  return out;
}

/**
 * Replaces the rows of `runIds` in every run table with what their folders hold now. A writer
 * (`onlyIfComplete`) does not create the tables in a store that holds runs from before them
 * (runs no backlog marker names): the tables would then seem complete without those. It leaves
 * a `.done` marker instead; `trove index` creates them whole. Resolves to whether the rows were
 * committed.
 */
export async function commitRuns(
  store: Store,
  runIds: readonly string[],
  options: { onlyIfComplete?: boolean; onDamaged?: OnDamaged } = {},
): Promise<boolean> {
  if (runIds.length === 0) return true;
  // The files each table had before the folders were read: a file added after that may hold
  // rows another process read later than this one (see replaceRows).
  const snapshots = new Map(
    await Promise.all(
      RUN_TABLES.map(async (name) => {
        const snapshot = await openTroveTable(store, name).delta.snapshot();
        return [name, snapshot] as const;
      }),
    ),
  );
  const seen = new Map(
    RUN_TABLES.map((name) => [name, new Set(snapshots.get(name)?.files.map((f) => f.path))]),
  );
  let adopted: BacklogMarker[] = [];
  if (options.onlyIfComplete && (snapshots.get('runs')?.version ?? -1) < 0) {
    const { start, adopt } = await tablesCanStart(store, runIds);
    if (!start) return false;
    adopted = adopt;
    runIds = [...new Set([...runIds, ...adopt.map((m) => m.runId)])];
  }
  // A run re-read for a table (replaceRows) is told of once, however many reads find it damaged.
  const told = new Set<string>();
  const tell = options.onDamaged;
  const onDamaged: OnDamaged | undefined =
    tell &&
    ((id, err) => {
      if (!told.has(id)) tell(id, err);
      told.add(id);
    });
  const rows = await rowsOfRuns(store, runIds, RUN_TABLES, onDamaged);
  // The tables are independent logs: their commits go out at once (a run's end waits for one
  // round of them, not four).
  const ids = new Set(runIds);
  await Promise.all(
    RUN_TABLES.map((name) =>
      replaceRows(store, name, ids, rows[name], seen.get(name) ?? new Set(), onDamaged),
    ),
  );
  await store.meta.deleteMany(adopted.map((m) => m.key));
  return true;
}

/**
 * Whether a writer may create the tables (they do not exist yet): every other run in the store
 * is one the backlog names (a new store whose first runs ran at once), listed until a run
 * without a marker shows (an older store: `trove index` must make the tables from all its runs).
 * A new store's finished runs (`.done` markers) are adopted: committed with this writer's.
 */
async function tablesCanStart(
  store: Store,
  runIds: readonly string[],
): Promise<{ start: boolean; adopt: BacklogMarker[] }> {
  const ours = new Set(runIds);
  const markers = await listBacklog(store);
  const marked = new Set(markers.map((m) => m.runId));
  const prefix = joinKey(store.metaPrefix, 'runs/');
  for await (const entry of store.meta.list(prefix)) {
    const id = entry.key.slice(prefix.length).split('/')[0] ?? '';
    if (!ours.has(id) && !marked.has(id)) return { start: false, adopt: [] };
  }
  return { start: true, adopt: markers.filter((m) => m.done && !ours.has(m.runId)) };
}

/**
 * One commit: `rows` in, every other row of `runIds` out. `seen` holds the table's files from
 * before `rows` were read. A file committed since then that may hold one of the runs was made by
 * a process that may have read the run's folder after this one did (a writer ending it while an
 * index read it running): those runs are read again before the plan, so an older state never
 * replaces a newer one.
 */
async function replaceRows(
  store: Store,
  name: RunTables,
  runIds: ReadonlySet<string>,
  initialRows: readonly Row[],
  seen: Set<string>,
  onDamaged?: OnDamaged,
): Promise<void> {
  const table = openTroveTable(store, name);
  let rows = initialRows;
  const keptRows = new Map<string, Row[] | 'untouched'>();
  const result = await table.delta.commit(async (snapshot) => {
    const stale = new Set<string>();
    for (const file of snapshot.files) {
      if (seen.has(file.path)) continue;
      for (const id of heldIds(file, runIds)) stale.add(id);
    }
    if (stale.size > 0) {
      const fresh = (await rowsOfRuns(store, [...stale], [name], onDamaged))[name];
      rows = [...rows.filter((row) => !stale.has(String(row.run_id))), ...fresh];
    }
    for (const file of snapshot.files) seen.add(file.path);
    // Data files never change: each is read once, however many attempts the commit takes (an
    // attempt that reads them all again loses its version again under many writers).
    const held = snapshot.files.filter((f) => mayHold(f, runIds));
    const others = await mapLimit(held, PARALLEL_READS, async (file) => {
      let kept = keptRows.get(file.path);
      if (!kept) {
        const fileRows = await table.delta.readRows(file, snapshot);
        const rest = fileRows.filter((row) => !runIds.has(String(row.run_id)));
        kept = rest.length === fileRows.length ? 'untouched' : rest;
        keptRows.set(file.path, kept);
      }
      return kept;
    });
    const remove: string[] = [];
    const kept: Row[] = [];
    held.forEach((file, i) => {
      const rest = others[i];
      if (rest === undefined || rest === 'untouched') return;
      remove.push(file.path);
      pushAll(kept, rest);
    });
    const add = [...kept, ...rows];
    if (remove.length === 0 && add.length === 0) return undefined;
    return { remove, add: add.length > 0 ? [add] : [] };
  });
  // Every writer adds small files; the one that makes every COMPACT_EVERY-th version folds them
  // into large ones, so a reader's file count stays bounded without anyone running optimize.
  if (result.committed && result.version > 0 && result.version % COMPACT_EVERY === 0) {
    await compactTable(store, name);
  }
}

/** Small files into files of up to `TARGET_FILE_ROWS[name]` rows (`dataChange: false`). */
export async function compactTable(store: Store, name: TableName): Promise<void> {
  await openTroveTable(store, name).delta.optimize({ targetFileRows: TARGET_FILE_ROWS[name] });
}

/** Whether a file's `run_id` range (its statistics) may contain one of `runIds`. */
function mayHold(file: AddFile, runIds: ReadonlySet<string>): boolean {
  return heldIds(file, runIds).length > 0;
}

/** The ids of `runIds` inside a file's `run_id` range (all of them when it has no statistics). */
function heldIds(file: AddFile, runIds: ReadonlySet<string>): string[] {
  let stats: { minValues?: { run_id?: unknown }; maxValues?: { run_id?: unknown } } = {};
  try {
    stats = file.stats ? JSON.parse(file.stats) : {};
  } catch {
    // no usable statistics: the file is read
  }
  const min = stats.minValues?.run_id;
  const max = stats.maxValues?.run_id;
  if (typeof min !== 'string' || typeof max !== 'string') return [...runIds];
  return [...runIds].filter((id) => id >= min && id <= max);
}
