/**
 * gc's quarantine: `files/gc/<gc id>/<2 hex>/<30 hex>[.dir]`, beside `files/md5/` on the objects'
 * backend. gc moves what it means to delete here first (a rename where the backend has one, else
 * a server-side copy and a delete), looks at every reference once more, puts back what a writer
 * recorded meanwhile, and only then deletes the rest. A writer that finds its object gone copies
 * it back from here. DVC reads only `files/md5/`, so a quarantined object is absent to it.
 */
import type { StorageBackend } from '../backend/contract.js';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError } from '../errors.js';
import type { ContentStore } from './content-store.js';

const CONCURRENCY = 32;
const QUARANTINE_KEY_RE = /^([^/]+)\/([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/;

/** One quarantined copy of an object. */
export interface Quarantined {
  /** The gc that moved it. */
  gcId: string;
  md5: string;
  key: string;
}

/** The quarantine key of `md5` for the gc `gcId`. */
function quarantineKey(objects: ContentStore, gcId: string, md5: string): string {
  return joinKey(objects.prefix, 'files/gc', gcId, md5.slice(0, 2), md5.slice(2));
}

/** Every quarantined copy, of every gc, by md5. */
export async function listQuarantine(
  objects: ContentStore,
  signal?: AbortSignal,
): Promise<Map<string, Quarantined[]>> {
  const prefix = joinKey(objects.prefix, 'files/gc/');
  const out = new Map<string, Quarantined[]>();
  for await (const e of objects.backend.list(prefix, { signal })) {
    const m = QUARANTINE_KEY_RE.exec(e.key.slice(prefix.length));
    if (!m) continue;
    const md5 = `${m[2]}${m[3]}`;
    const list = out.get(md5) ?? [];
    list.push({ gcId: m[1] as string, md5, key: e.key });
    out.set(md5, list);
  }
  return out;
}

/**
 * Moves objects out of `files/md5/` into the quarantine of `gcId`, in order (callers pass
 * manifests before files). An object already gone (another gc) is skipped. Resolves to the md5s
 * moved.
 */
export async function quarantine(
  objects: ContentStore,
  gcId: string,
  md5s: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const { backend } = objects;
  const moved = await mapLimit(md5s, CONCURRENCY, async (md5) => {
    const from = objects.key(md5);
    const to = quarantineKey(objects, gcId, md5);
    try {
      if (backend.rename) await backend.rename(from, to, { signal });
      else {
        await backend.copy(from, to, { signal });
        await backend.delete(from, { signal });
      }
      return md5;
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) return undefined;
      throw err;
    }
  });
  return moved.filter((m) => m !== undefined);
}

/**
 * Copies `md5` back into `files/md5/` from any of its quarantined copies, unless it is there.
 * Resolves to whether the object is in the store afterwards.
 */
export async function restoreObject(
  objects: ContentStore,
  copies: readonly Quarantined[],
  md5: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const to = objects.key(md5);
  for (const copy of copies) {
    if (await objects.backend.exists(to, { signal })) return true;
    try {
      await objects.backend.copy(copy.key, to, { ifNoneMatch: '*', signal });
      return true;
    } catch (err) {
      if (isTroveError(err, 'PRECONDITION_FAILED')) return true;
      if (!isTroveError(err, 'NOT_FOUND')) throw err;
      // That gc deleted its copy meanwhile: try the next one.
    }
  }
  return objects.backend.exists(to, { signal });
}

/** Deletes quarantined copies, a thousand keys a request. */
export async function purgeQuarantine(
  backend: StorageBackend,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    signal?.throwIfAborted();
    await backend.deleteMany(keys.slice(i, i + 1000), { signal });
  }
}

/** Which of `md5s` are not in `files/md5/` (one lookup each, 32 at a time). */
export async function missingObjects(
  objects: ContentStore,
  md5s: Iterable<string>,
  signal?: AbortSignal,
): Promise<string[]> {
  const unique = [...new Set(md5s)];
  const present = await mapLimit(unique, CONCURRENCY, (md5) =>
    objects.backend.exists(objects.key(md5), { signal }),
  );
  return unique.filter((_, i) => !present[i]);
}
