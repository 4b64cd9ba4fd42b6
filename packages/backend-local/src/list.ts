import { type BigIntStats, type Dirent, readdirSync, statSync } from 'node:fs';
import { compareKeys, type ObjectEntry } from '@trove/core/backend';
import { toObjectStat } from './etag.js';
import { rethrow } from './map-error.js';
import { keyPath, TEMP_PREFIX } from './paths.js';

/** Entries between two yields to the event loop, so a long listing does not starve timers and I/O. */
const YIELD_EVERY = 1024;

interface Candidate {
  name: string;
  key: string;
  /** `name` for a file, `name/` for a folder: what decides the order of the keys under it. */
  order: string;
  isDir: boolean;
}

/**
 * Every object under `root` whose key starts with `prefix`, in ascending UTF-8 byte order of
 * key. Only folders that can hold a match are read: the prefix's folder part is opened directly
 * and its last part filters names. Within a folder, a subfolder `a` sorts as `a/`, which puts
 * `a-b` and `a.b` before everything in `a/` and `a0` after it, as the full keys would sort.
 * Synchronous readdir/stat are several times faster than their promise versions for this.
 */
export async function* listObjects(
  root: string,
  prefix: string,
  startAfter?: string,
  signal?: AbortSignal,
): AsyncGenerator<ObjectEntry> {
  const cut = prefix.lastIndexOf('/') + 1;
  const state = { sinceYield: 0 };
  yield* walk(root, prefix.slice(0, cut), prefix.slice(cut), startAfter, signal, state);
}

async function* walk(
  root: string,
  dirKey: string,
  namePrefix: string,
  startAfter: string | undefined,
  signal: AbortSignal | undefined,
  state: { sinceYield: number },
): AsyncGenerator<ObjectEntry> {
  signal?.throwIfAborted();
  const candidates = readCandidates(root, dirKey, namePrefix, startAfter);
  for (const c of candidates) {
    if (c.isDir) {
      // Keys under this folder still need the startAfter check only if it falls inside it.
      const after = startAfter?.startsWith(c.order) ? startAfter : undefined;
      yield* walk(root, c.order, '', after, signal, state);
      continue;
    }
    let st: BigIntStats | undefined;
    try {
      st = statSync(keyPath(root, c.key), { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      rethrow(err, c.key);
    }
    if (!st?.isFile()) continue; // deleted (or replaced by a folder) since readdir
    yield toObjectStat(c.key, st);
    if (++state.sinceYield >= YIELD_EVERY) {
      state.sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
  }
}

function readCandidates(
  root: string,
  dirKey: string,
  namePrefix: string,
  startAfter: string | undefined,
): Candidate[] {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dirKey === '' ? root : keyPath(root, dirKey.slice(0, -1)), {
      withFileTypes: true,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    rethrow(err, dirKey);
  }
  const candidates: Candidate[] = [];
  for (const d of dirents) {
    const name = d.name;
    if (!name.startsWith(namePrefix) || name.startsWith(TEMP_PREFIX)) continue;
    let isDir = d.isDirectory();
    if (!isDir && !d.isFile()) {
      // Follow a symbolic link to a file; links to folders are not walked (no cycles).
      if (!d.isSymbolicLink()) continue;
      const target = statSync(keyPath(root, dirKey + name), { throwIfNoEntry: false });
      if (!target?.isFile()) continue;
      isDir = false;
    }
    const key = dirKey + name;
    const order = isDir ? `${key}/` : key;
    if (startAfter !== undefined && compareKeys(order, startAfter) <= 0) {
      // A folder whose keys all sort before startAfter is skipped whole; one that startAfter
      // falls inside is still walked.
      if (!isDir || !startAfter.startsWith(order)) continue;
    }
    candidates.push({ name, key, order, isDir });
  }
  candidates.sort((a, b) => compareKeys(a.order, b.order));
  return candidates;
}
