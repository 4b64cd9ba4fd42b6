/**
 * `gc`: removes from a store what nothing refers to. An object is kept when a run, a registry
 * entry or a workspace pointer refers to it (see `references.ts`), when a kept `.dir` manifest
 * lists it, or when it is younger than the grace period: a writer stores its objects first and
 * its manifest and run record last, and the grace period covers that gap. Manifests are deleted
 * before the objects they list, so a crash mid-gc never leaves a `.dir` whose files are gone
 * (a `.dir` in the store means its files are there). References are read twice, before and
 * after the objects are listed, so a writer that finishes meanwhile is seen.
 *
 * What gc cannot see: a writer that finds an old, unreferenced object already in the store and
 * refers to it after gc's second look. Keep the grace period longer than any run, and run
 * `trove verify` after a gc that raced writers.
 */
import type { CleanupResult, StorageBackend } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import { findProject, type ProjectPaths } from '../project/find-project.js';
import { collectReferences, REFERENCE_SOURCES, type ReferenceSource } from './references.js';
import type { Store } from './store.js';

/** The default grace period: objects younger than a day are kept. */
const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

const MANIFEST_CONCURRENCY = 16;
const DELETE_BATCH = 1000;

export interface GcOptions {
  /** Milliseconds: anything younger is kept (default 24 h). `0` removes every unreferenced object. */
  grace?: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
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
  /** A `.dir` manifest, an object, or a staging leftover of an interrupted add. */
  kind: 'manifest' | 'object' | 'staging';
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
    const item = { key: o.key, size: o.size };
    if (md5.endsWith('.dir')) manifests.push({ ...item, kind: 'manifest' });
    else files.push({ ...item, kind: 'object' });
  }
  const staging: GcRemoved[] = [];
  const stagingPrefix = joinKey(store.objects.prefix, 'files/staging/');
  for await (const e of store.objects.backend.list(stagingPrefix, { signal })) {
    if (e.lastModified < cutoff) staging.push({ key: e.key, size: e.size, kind: 'staging' });
  }

  const removed = [...manifests, ...files, ...staging];
  if (!dryRun) {
    for (const group of [manifests, files, staging]) {
      await deleteKeys(
        store.objects.backend,
        group.map((r) => r.key),
        signal,
      );
    }
  }
  const leftovers = await cleanupBackends(store, { olderThan: cutoff, dryRun, signal });
  return {
    dryRun,
    removed,
    leftovers,
    bytes: removed.reduce((n, r) => n + r.size, 0) + leftovers.bytes,
    kept: objects.size - manifests.length - files.length,
    young: youngOnes.length,
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
