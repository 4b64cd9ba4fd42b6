/**
 * `sync(from, to, what)`: makes the target hold what the source has of `what`, moving only what
 * the target lacks. The order keeps every state a kill can leave valid, and a second run finishes
 * the job sending only what is missing:
 * 1. the target's gc log is read, what to move is resolved on the source and the objects each
 *    side has are listed (`files/md5/<xx>/`, 256 prefixes or only those needed; the target's
 *    not where the last sync's marks vouch for it, `object-sides.ts`); nothing is written before;
 * 2. objects the target lacks are copied, create-only and md5-checked on arrival: files first,
 *    `.dir` manifests after the files they list (a manifest there means its files are);
 * 3. the runs are marked in the target's tables backlog, their folders merged (`run-transfer.ts`,
 *    `run.json` last), the registry documents merged (`registry/merge-doc.ts`) and logged models
 *    copied: records only ever point at objects already there;
 * 4. when a gc ran on the target since its log was read, the objects are listed and copied again;
 * 5. the runs' rows are committed to the target's tables, and marks left so that a sync with
 *    nothing to do reads no record and lists no object of the target (`sync-marks.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { ObjectEntry } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { GcFence } from '../record/gc-log.js';
import type { Store } from '../record/store.js';
import { ModelRegistry } from '../registry/model-registry.js';
import type { RegistryDoc } from '../registry/registry-doc.js';
import { backlogKey, markBacklog } from '../tables/backlog.js';
import { commitBacklog } from '../tables/commit-backlog.js';
import { copyKey } from './copy-key.js';
import { copyObjects, type SyncProgress } from './copy-objects.js';
import { ALL_PREFIXES, listObjects, prefixesOf } from './object-listing.js';
import { ObjectSides } from './object-sides.js';
import { transferRun } from './run-transfer.js';
import { type Selection, selectWhat } from './select.js';
import { storeId } from './store-id.js';
import { digestOf, SyncMarks } from './sync-marks.js';

const RUN_CONCURRENCY = 8;

export interface SyncOptions {
  /** Work out what would move and how many bytes; write nothing. */
  dryRun?: boolean;
  /**
   * List every object of the target, not trusting the marks the last sync left (for a target
   * whose objects were removed by something other than `trove gc`).
   */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncSummary {
  dryRun: boolean;
  /** Objects copied (or, dry run, to copy). */
  objects: number;
  bytes: number;
  /** Objects the target had already. */
  skipped: number;
  /** Runs whose folders changed (dry run: that differ from the last sync and are compared). */
  runs: number;
  /** Registered models whose documents changed (dry run: that are compared). */
  models: number;
  seconds: number;
}

/** What the listings found to move. */
interface Plan {
  objects: Map<string, number>;
  /** Every object the target must hold when the sync is done (those it had, and `objects`). */
  needed: ReadonlySet<string>;
  skipped: number;
  runs: Array<{ id: string; source: ObjectEntry[]; target: ObjectEntry[]; fromBase: string }>;
  models: Array<{ name: string; doc: RegistryDoc; source: ObjectEntry }>;
  /** Keys (under the metadata prefix) of logged models' documents the target lacks. */
  loggedModels: string[];
}

/**
 * Moves `what` (run ids, a filter, artifact references; empty for everything) from `from` to
 * `to`. Bad input is one `TroveError` before the first write.
 *
 * @example
 * const summary = await sync(laptop, bucket, ['params.lr > 0.01']);
 */
export async function sync(
  from: Store,
  to: Store,
  what: readonly string[] = [],
  options: SyncOptions = {},
): Promise<SyncSummary> {
  const started = performance.now();
  if (from === to) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `A store cannot be synced with itself ("${to.name}").`,
    );
  }
  const { signal, onProgress } = options;
  const dryRun = options.dryRun === true;
  const selection = await selectWhat(from, what);
  // Before any listing of objects (those the target is found to hold stay until a gc starts),
  // and before the source's id is written: a target that cannot be reached leaves no trace.
  const fence = await GcFence.open(to, signal);
  const sourceId = await storeId(from, !dryRun);
  const marks = await SyncMarks.load(to, sourceId);
  const sides = new ObjectSides(from, to, marks, {
    gcState: fence.state,
    trustMarks: fence.settled && options.full !== true,
    signal,
  });
  const plan = await makePlan(from, to, selection, marks, sides);
  const totalBytes = [...plan.objects.values()].reduce((a, b) => a + b, 0);
  let changedRuns = plan.runs.length;
  let changedModels = plan.models.length;
  const summary = (): SyncSummary => ({
    dryRun,
    objects: plan.objects.size,
    bytes: totalBytes,
    skipped: plan.skipped,
    runs: changedRuns,
    models: changedModels,
    seconds: (performance.now() - started) / 1000,
  });
  const nothing =
    plan.objects.size === 0 &&
    plan.runs.length === 0 &&
    plan.models.length === 0 &&
    plan.loggedModels.length === 0;
  if (dryRun || nothing) return summary();

  to.prepare();
  await copyObjects(from, to, plan.objects, totalBytes, signal, onProgress);
  const writer = randomBytes(8).toString('hex');
  const runIds = plan.runs.map((r) => r.id);
  // One marker per run, each its own object: written many at once, as the runs are sent.
  await mapLimit(runIds, RUN_CONCURRENCY, (id) => markBacklog(to, id, writer));
  let done = 0;
  const changed: string[] = [];
  await mapLimit(plan.runs, RUN_CONCURRENCY, async (run) => {
    if ((await transferRun(from, to, run.id, run.source, run.target, signal)) > 0) {
      changed.push(run.id);
    }
    onProgress?.({ phase: 'records', done: ++done, total: runIds.length, bytes: 0, totalBytes: 0 });
  });
  await mapLimit(plan.loggedModels, RUN_CONCURRENCY, (key) =>
    copyKey(from.meta, joinKey(from.metaPrefix, key), to.meta, joinKey(to.metaPrefix, key)),
  );
  const registry = new ModelRegistry(to);
  changedModels = 0;
  for (const m of plan.models) if (await registry.mergeDocument(m.doc, sourceId)) changedModels++;
  const crossed = await fence.crossed();
  if (crossed) {
    // A gc may have removed what was there or copied before the records pointed at it.
    const there = await listObjects(to.objects, prefixesOf(plan.needed), signal);
    const gone = new Map<string, number>();
    for (const md5 of plan.needed) {
      if (!there.has(md5)) gone.set(md5, sides.sizeOf(md5) ?? 0);
    }
    await copyObjects(from, to, gone, 0, signal);
  }
  changedRuns = changed.length;
  // A run found the same on both sides changes no row: its marker just goes.
  const same = new Set(changed);
  await to.meta.deleteMany(
    runIds.filter((id) => !same.has(id)).map((id) => backlogKey(to, id, writer)),
  );
  const failure = await commitBacklog(to, changed, writer);
  if (failure) process.emitWarning(`trove sync: the tables were not updated: ${String(failure)}`);
  await leaveMarks(to, plan, marks);
  // After a gc, the objects' marks wait for a sync that sees the log settled.
  if (!crossed) await sides.leaveMarks(new Set(plan.objects.keys()));
  return summary();
}

/** What to move: the listings of both sides, less what the marks say is there already. */
async function makePlan(
  from: Store,
  to: Store,
  selection: Selection,
  marks: SyncMarks,
  sides: ObjectSides,
): Promise<Plan> {
  const roots = new Set(selection.md5s);
  const runIds = new Set(selection.runIds);
  const plan: Plan = {
    objects: new Map(),
    needed: new Set(),
    skipped: 0,
    runs: [],
    models: [],
    loggedModels: [],
  };

  const [fromDocs, toDocs] = await Promise.all([
    listed(from, 'registry/'),
    listed(to, 'registry/'),
  ]);
  const names = selection.all
    ? [...fromDocs.keys()]
        .filter((k) => !k.includes('/') && k.endsWith('.json'))
        .map((k) => k.slice(0, -5))
    : [...selection.models];
  const registry = new ModelRegistry(from);
  for (const name of names) {
    const source = fromDocs.get(`${name}.json`);
    if (!source) continue;
    const target = toDocs.get(`${name}.json`);
    if (marks.has('registry', name, digestOf([source], '', target ? [target] : [], ''))) continue;
    const doc = await registry.readDocument(name);
    if (!doc) continue;
    plan.models.push({ name, doc, source });
    for (const v of doc.versions) {
      roots.add(v.md5);
      if (v.runId !== undefined && !selection.all) runIds.add(v.runId);
    }
  }

  const ids = selection.all ? undefined : runIds;
  const [fromRuns, toRuns] = await Promise.all([runFolders(from, ids), runFolders(to, ids)]);
  const modelIds = new Set<string>();
  for (const [id, source] of fromRuns) {
    if (!source.some((e) => e.key.endsWith('/run.json'))) continue;
    const target = toRuns.get(id) ?? [];
    const fromBase = folderOf(from, id);
    if (marks.has('runs', id, digestOf(source, fromBase, target, folderOf(to, id)))) continue;
    plan.runs.push({ id, source, target, fromBase });
    for (const a of Object.values(await from.readArtifacts(id))) {
      if (a.cached) roots.add(a.md5);
      if (typeof a.meta?.modelId === 'string') modelIds.add(a.meta.modelId);
    }
  }

  const [fromModels, toModels] = await Promise.all([
    listed(from, 'models/'),
    listed(to, 'models/'),
  ]);
  for (const key of fromModels.keys()) {
    const wanted = selection.all || modelIds.has(key.replace(/\.json$/, ''));
    if (wanted && !toModels.has(key)) plan.loggedModels.push(`models/${key}`);
  }

  await planObjects(from, sides, selection.all, roots, plan);
  return plan;
}

/** The objects the target lacks: of the whole store, or of `roots` and the files they list. */
async function planObjects(
  from: Store,
  sides: ObjectSides,
  all: boolean,
  roots: Set<string>,
  plan: Plan,
): Promise<void> {
  await sides.load(all ? ALL_PREFIXES : prefixesOf(roots));
  const needed = all ? new Set(sides.sourceMd5s()) : new Set(roots);
  if (!all) {
    for (const md5 of roots) {
      // A manifest the target has means its files are there (they are sent before it).
      if (!md5.endsWith('.dir') || sides.targetHas(md5) || !sides.sourceHas(md5)) continue;
      for (const e of await from.objects.readManifest(md5)) needed.add(e.md5);
    }
    await sides.load(prefixesOf(needed));
  }
  const lacking: string[] = [];
  for (const md5 of needed) {
    if (sides.targetHas(md5)) {
      plan.skipped++;
      continue;
    }
    const size = sides.sourceHas(md5) ? sides.sizeOf(md5) : undefined;
    if (size === undefined) lacking.push(md5);
    else plan.objects.set(md5, size);
  }
  plan.needed = needed;
  if (lacking.length > 0) {
    throw new TroveError(
      'CORRUPT',
      `Store "${from.name}" lacks ${lacking.length} object${lacking.length === 1 ? '' : 's'} its records refer to (${lacking.slice(0, 3).join(', ')}${lacking.length > 3 ? ', …' : ''}); nothing was sent.`,
      {
        key: from.objects.key(lacking[0] as string),
        hint: `Run \`trove verify\` on "${from.name}".`,
      },
    );
  }
}

/** Listing entries under `sub` (a folder, ending in `/`) of the metadata prefix, by key relative to it. */
async function listed(store: Store, sub: `${string}/`): Promise<Map<string, ObjectEntry>> {
  const prefix = joinKey(store.metaPrefix, sub);
  const out = new Map<string, ObjectEntry>();
  for await (const e of store.meta.list(prefix)) out.set(e.key.slice(prefix.length), e);
  return out;
}

/** Each run folder's listing entries: every run's (one listing), or those of `ids`. */
async function runFolders(
  store: Store,
  ids: ReadonlySet<string> | undefined,
): Promise<Map<string, ObjectEntry[]>> {
  const out = new Map<string, ObjectEntry[]>();
  const add = (e: ObjectEntry, base: string) => {
    const id = e.key.slice(base.length).split('/')[0] ?? '';
    const list = out.get(id) ?? [];
    list.push(e);
    out.set(id, list);
  };
  const base = joinKey(store.metaPrefix, 'runs/');
  if (ids === undefined) {
    for await (const e of store.meta.list(base)) add(e, base);
    return out;
  }
  await mapLimit([...ids], RUN_CONCURRENCY, async (id) => {
    for await (const e of store.meta.list(folderOf(store, id))) add(e, base);
  });
  return out;
}

/** Marks what was merged as the target now holds it (`sync-marks.ts`). */
async function leaveMarks(to: Store, plan: Plan, marks: SyncMarks): Promise<void> {
  await mapLimit(plan.runs, RUN_CONCURRENCY, async (run) => {
    const base = folderOf(to, run.id);
    const after: ObjectEntry[] = [];
    for await (const e of to.meta.list(base)) after.push(e);
    await marks.set('runs', run.id, digestOf(run.source, run.fromBase, after, base));
  });
  const docs = await listed(to, 'registry/');
  for (const m of plan.models) {
    const target = docs.get(`${m.name}.json`);
    await marks.set('registry', m.name, digestOf([m.source], '', target ? [target] : [], ''));
  }
}

/** `runs/<id>/` under the store's prefix. */
function folderOf(store: Store, id: string): string {
  return `${store.runKey(id)}/`;
}
