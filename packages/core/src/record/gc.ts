/**
 * `gc`: removes from a store what nothing refers to. An object is kept when a run, a registry
 * entry or a workspace pointer refers to it (see `references.ts`), when a kept `.dir` manifest
 * lists it, or when it is younger than the grace period. References are read twice, before and
 * after the objects are listed, so a writer that finishes meanwhile is seen.
 *
 * Writers reuse objects they find in the store, and may record a reference to one after gc's
 * last look; no lock service exists. So gc deletes in three steps, and writers do their part:
 * 1. gc writes `gc/<id>` (the gc log, `gc-log.ts`) before it reads any reference;
 * 2. it moves what it would delete into its quarantine (`files/gc/<id>/`, manifests first), then
 *    reads every reference once more, puts back what is now referred to (files before
 *    manifests), deletes the rest of its quarantine and writes `gc/<id>.done`;
 * 3. a writer lists `gc/` before it looks for objects and again after it recorded its reference;
 *    when the listings differ or a gc is unfinished, it checks every object it referred to and
 *    stores again (or copies back from a quarantine) what is gone (`store/ensure-stored.ts`).
 * Why nothing a writer recorded is lost: take a writer's reference R (recorded at time r, checked
 * at c > r) and a gc G that moves one of its objects. If G's log entry was written after the
 * writer's second listing, G read its references after r and keeps the object. Otherwise the
 * writer sees G in its second listing (new, or unfinished) and checks at c. If G moved the object
 * before c, the check finds it gone and stores it again; if after c, then G's last look came after
 * the move, after r, so G sees R and puts the object back. Nothing depends on clocks or timing;
 * the grace period only spares in-flight writers the work of storing again. Each gc is a listing
 * and a write more, each writer two listings of `gc/` (a second look at every object only when
 * it raced a gc). The one window left: a gc killed between its move and its last step leaves the
 * objects in its quarantine (a writer that checked before the move may have finished); the next
 * gc puts them back a day later, when that gc is presumed dead. `--grace 0` removes the objects
 * of adds still being written (they store them again); it is refused while runs are `running`
 * unless forced.
 */
import type { CleanupResult, StorageBackend } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { findProject, type ProjectPaths } from '../project/find-project.js';
import { quarantine } from '../store/quarantine.js';
import { beginGc, deadGcs, endGc, pruneGcLog, readGcLog } from './gc-log.js';
import { refuseWhileRunning, settleQuarantine } from './gc-settle.js';
import {
  collectReferences,
  REFERENCE_SOURCES,
  type ReferenceSource,
  referenceSources,
} from './references.js';
import type { Store } from './store.js';

/** The default grace period: objects younger than a day are kept. */
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

const MANIFEST_CONCURRENCY = 16;
const DELETE_BATCH = 1000;

export interface GcOptions {
  /** Milliseconds: anything younger is kept (default 24 h). `0` removes every unreferenced object. */
  grace?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** With `grace: 0`, run even while runs are `running` (they store their objects again). */
  force?: boolean;
  /**
   * Where the workspace is, for its `.dvc` pointers and `dvc.lock` (the project around it).
   * Default `process.cwd()`; `false` when no workspace refers to this store.
   */
  cwd?: string | false;
  signal?: AbortSignal;
}

/** One thing gc removed (or, dry run, would remove). */
interface GcRemoved {
  key: string;
  size: number;
  /**
   * A `.dir` manifest, an object, a staging leftover of an interrupted add, or a table's data
   * file no snapshot uses (`tables/<name>/…`).
   */
  kind: 'manifest' | 'object' | 'staging' | 'table-file';
  md5?: string;
}

export interface GcResult {
  dryRun: boolean;
  /** Manifests first, then objects, then staging leftovers. */
  removed: GcRemoved[];
  /** What the backends left behind themselves (temp files, locks, multipart uploads, journals). */
  leftovers: CleanupResult;
  /** Bytes of everything removed. */
  bytes: number;
  /** Objects kept. */
  kept: number;
  /** Of those, the ones kept only for being younger than the grace period. */
  young: number;
  /** Objects gc moved out and put back because a writer referred to them meanwhile. */
  restored: number;
}

/**
 * Removes unreferenced objects, staging leftovers and backend leftovers older than the grace
 * period from `store`.
 *
 * @example
 * const store = await openStore();
 * try { const r = await gc(store, { dryRun: true }); console.log(r.removed.length, r.bytes); }
 * finally { await store.close(); }
 */
export async function gc(store: Store, options: GcOptions = {}): Promise<GcResult> {
  return gcWith(store, options, REFERENCE_SOURCES);
}

/**
 * `gc` as a policy gc runs it: the artifacts in `expiring` (`expiredKey`s) keep nothing, so a dry
 * run lists what the real run, after recording them expired, removes.
 */
export function gcExpiring(
  store: Store,
  options: GcOptions,
  expiring: ReadonlySet<string>,
): Promise<GcResult> {
  return gcWith(store, options, referenceSources(expiring));
}

/** `gc` with the reference sources given (tests, and the place to add one). */
async function gcWith(
  store: Store,
  options: GcOptions,
  sources: readonly ReferenceSource[],
): Promise<GcResult> {
  const grace = options.grace ?? DEFAULT_GC_GRACE_MS;
  if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `gc's grace must be a number of milliseconds ≥ 0, not ${String(grace)}.`,
    );
  }
  const dryRun = options.dryRun ?? false;
  const { signal } = options;
  const cutoff = new Date(Date.now() - grace);
  const project: ProjectPaths | undefined =
    options.cwd === false ? undefined : findProject(options.cwd ?? process.cwd());
  const ctx = { store, project, signal };
  if (grace === 0 && !dryRun && !options.force) await refuseWhileRunning(store);
  const gcId = dryRun ? undefined : await beginGc(store);

  const firstRefs = await collectReferences(ctx, sources);
  const objects = await listObjects(store, signal);
  const kept = new Set([...firstRefs].filter((md5) => objects.has(md5)));
  await keepListedFiles(store, objects, kept, [...kept]);
  const youngOnes = [...objects]
    .filter(([md5, o]) => !kept.has(md5) && o.lastModified >= cutoff)
    .map(([md5]) => md5);
  for (const md5 of youngOnes) kept.add(md5);
  await keepListedFiles(store, objects, kept, youngOnes);
  // A writer may have recorded a run meanwhile: look again before deleting anything.
  const again = [...(await collectReferences(ctx, sources))].filter(
    (md5) => objects.has(md5) && !kept.has(md5),
  );
  for (const md5 of again) kept.add(md5);
  await keepListedFiles(store, objects, kept, again);

  const manifests: GcRemoved[] = [];
  const files: GcRemoved[] = [];
  for (const [md5, o] of objects) {
    if (kept.has(md5)) continue;
    const item = { key: o.key, size: o.size, md5 };
    if (md5.endsWith('.dir')) manifests.push({ ...item, kind: 'manifest' });
    else files.push({ ...item, kind: 'object' });
  }
  const staging: GcRemoved[] = [];
  const stagingPrefix = joinKey(store.objects.prefix, 'files/staging/');
  for await (const e of store.objects.backend.list(stagingPrefix, { signal })) {
    if (e.lastModified < cutoff) staging.push({ key: e.key, size: e.size, kind: 'staging' });
  }

  let restored = new Set<string>();
  if (gcId !== undefined) {
    const dead = deadGcs(await readGcLog(store, signal));
    for (const group of [manifests, files])
      await quarantine(
        store.objects,
        gcId,
        group.map((r) => r.md5 as string),
        signal,
      );
    restored = await settleQuarantine({ ...ctx, sources, kept, reclaim: [gcId, ...dead] });
    await deleteKeys(
      store.objects.backend,
      staging.map((r) => r.key),
      signal,
    );
    for (const id of [gcId, ...dead]) await endGc(store, id);
    await pruneGcLog(store, await readGcLog(store, signal));
  }
  const gone = [...manifests, ...files].filter((r) => !restored.has(r.md5 as string));
  const removed = [...gone, ...staging].map(({ md5: _, ...r }) => r);
  const leftovers = await cleanupBackends(store, { olderThan: cutoff, dryRun, signal });
  return {
    dryRun,
    removed,
    leftovers,
    bytes: removed.reduce((n, r) => n + r.size, 0) + leftovers.bytes,
    kept: objects.size - gone.length,
    young: youngOnes.length,
    restored: manifests.length + files.length - gone.length,
  };
}

interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

const OBJECT_KEY_RE = /^([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/;

/** Every object under `files/md5/`, by md5. Keys of another shape are not ours: left alone. */
async function listObjects(
  store: Store,
  signal: AbortSignal | undefined,
): Promise<Map<string, StoredObject>> {
  const prefix = joinKey(store.objects.prefix, 'files/md5/');
  const out = new Map<string, StoredObject>();
  for await (const e of store.objects.backend.list(prefix, { signal })) {
    const m = OBJECT_KEY_RE.exec(e.key.slice(prefix.length));
    if (m) out.set(`${m[1]}${m[2]}`, { key: e.key, size: e.size, lastModified: e.lastModified });
  }
  return out;
}

/** Adds to `kept` the files listed by the manifests among `from` that are in the store. */
async function keepListedFiles(
  store: Store,
  objects: ReadonlyMap<string, StoredObject>,
  kept: Set<string>,
  from: readonly string[],
): Promise<void> {
  const manifests = from.filter((md5) => md5.endsWith('.dir') && objects.has(md5));
  const lists = await mapLimit(manifests, MANIFEST_CONCURRENCY, async (md5) => {
    try {
      return (await store.objects.readManifest(md5)).map((e) => e.md5);
    } catch (err) {
      throw new TroveError(
        'CORRUPT',
        `The directory manifest ${md5} is kept but cannot be read, so gc cannot tell which files it needs; nothing was deleted.`,
        { key: store.objects.key(md5), cause: err, hint: 'Run trove verify.' },
      );
    }
  });
  for (const list of lists) for (const md5 of list) kept.add(md5);
}

async function deleteKeys(
  backend: StorageBackend,
  keys: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    signal?.throwIfAborted();
    await backend.deleteMany(keys.slice(i, i + DELETE_BATCH), { signal });
  }
}

/** Each backend of the store (once) cleans up after itself, if it can. */
async function cleanupBackends(
  store: Store,
  options: { olderThan: Date; dryRun: boolean; signal: AbortSignal | undefined },
): Promise<CleanupResult> {
  const total: CleanupResult = { items: 0, bytes: 0, details: [] };
  const parts: Array<[StorageBackend, string]> = [[store.meta, store.metaPrefix]];
  if (store.objects.backend !== store.meta)
    parts.push([store.objects.backend, store.objects.prefix]);
  for (const [backend, prefix] of parts) {
    if (!backend.cleanup) continue;
    const r = await backend.cleanup({
      olderThan: options.olderThan,
      dryRun: options.dryRun,
      ...(prefix !== '' ? { prefix } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    total.items += r.items;
    total.bytes += r.bytes;
    total.details.push(...r.details);
  }
  return total;
}
