import { accessSync, constants, lstatSync, type Stats, statfsSync, statSync } from 'node:fs';
import { BatchQueue } from '../backend/batches.js';
import { TroveError } from '../errors.js';
import { buildDirManifest, type DirManifest } from '../hash/dir-manifest.js';
import { dvcIgnoreFor } from '../hash/dvcignore.js';
import { type HashManyOptions, hashFiles } from '../hash/hash-pool.js';
import type { HashState } from '../hash/hash-state.js';
import { md5File } from '../hash/md5-file.js';
import { type FileEntry, isExecutable, isReadable, walkFiles } from '../hash/walk.js';
import { mapFsError, permissionDenied } from '../user-path-errors.js';
import type { ContentStore, StoreFile } from './content-store.js';

export interface Progress {
  phase: 'hash' | 'store';
  files: number;
  bytes: number;
  totalFiles: number;
  totalBytes: number;
}

export interface IngestOptions {
  /** Where to store the content; `undefined` hashes only (`cache: false`). */
  store?: ContentStore;
  state: HashState;
  onProgress?: (p: Progress) => void;
  /** The DVC repository root: its `.dvcignore` files apply to directories, as in DVC. */
  dvcRoot?: string;
}

export interface Ingested {
  isdir: boolean;
  /** DVC hash: hex for a file, `<hex>.dir` for a directory. */
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
  manifest?: DirManifest;
  /** Objects newly written to the store. */
  written: number;
  /** The local files behind the objects, to store them again if a gc removed them meanwhile. */
  files: readonly StoreFile[];
}

/** Stat of a path to track: regular file or directory (following a top-level link), else an error. */
export function statArtifactPath(path: string): Stats {
  checkPathText(path);
  let st: Stats;
  try {
    st = lstatSync(path);
    if (st.isSymbolicLink()) st = statSync(path);
  } catch (err) {
    const mapped = mapFsError(err, path);
    if (mapped.code === 'NOT_FOUND') {
      throw new TroveError('NOT_FOUND', `Nothing to log at ${path}: no such file or directory.`, {
        key: path,
        cause: err,
      });
    }
    throw mapped;
  }
  if (!st.isFile() && !st.isDirectory()) {
    throw new TroveError('INVALID_ARTIFACT', `${path} is not a regular file or a directory.`, {
      key: path,
      hint: 'Log regular files and directories; FIFOs, sockets and devices cannot be tracked.',
    });
  }
  checkNotPseudoFs(path);
  return st;
}

/** A path is text without NUL (no file system can name one; Node throws a raw error). */
export function checkPathText(path: unknown, what = 'A path'): string {
  if (typeof path !== 'string' || path === '') {
    throw new TroveError(
      'INVALID_PATH',
      `${what} must be a non-empty string, not ${path === '' ? 'an empty string' : typeof path}.`,
    );
  }
  if (path.includes('\0')) {
    throw new TroveError(
      'INVALID_PATH',
      `${what} cannot contain a NUL character: ${JSON.stringify(path)}.`,
    );
  }
  return path;
}

/**
 * Kernel file systems whose files report a size that is not their content (`/proc/self/status`
 * stats as 0 bytes) and whose trees do not end (`/proc`): statfs magic numbers from linux/magic.h.
 */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x63677270, 'cgroup2'],
  [0x27e0eb, 'cgroup'],
  [0x1cd1, 'devpts'],
]);

function checkNotPseudoFs(path: string): void {
  let type: number;
  try {
    type = statfsSync(path).type;
  } catch {
    return; // no statfs here (another OS): nothing to tell
  }
  const fs = PSEUDO_FS.get(type);
  if (fs !== undefined) {
    throw new TroveError(
      'INVALID_PATH',
      `${path} is on the kernel's ${fs} file system: its content cannot be tracked.`,
      {
        key: path,
        hint: 'Copy what you need into a regular file first (cat it into the project), then log that.',
      },
    );
  }
}

/**
 * Hashes a file or directory (skipping files the stat cache knows) and, with a store, puts
 * its content there; a directory's files are stored while the rest are still being hashed, and
 * its manifest last. Bad input (an unreadable file, a FIFO, a link loop) is refused before
 * anything is written.
 */
export async function ingestPath(path: string, options: IngestOptions): Promise<Ingested> {
  const st = statArtifactPath(path);
  return st.isDirectory() ? ingestDirectory(path, options) : ingestFile(path, st, options);
}

async function ingestFile(
  path: string,
  st: Stats,
  { store, state, onProgress }: IngestOptions,
): Promise<Ingested> {
  // An unreadable file fails here, before the store is touched.
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw mapFsError(err, path);
  }
  const known = state.get(path, st);
  const report = (phase: Progress['phase'], bytes: number): void =>
    onProgress?.({
      phase,
      files: bytes === st.size ? 1 : 0,
      bytes,
      totalFiles: 1,
      totalBytes: st.size,
    });
  let md5: string;
  let written = 0;
  if (store) {
    const r = await store.addFile(path, {
      md5: known,
      size: st.size,
      onProgress: (b) => report('store', b),
    });
    md5 = r.md5;
    written = r.written ? 1 : 0;
  } else {
    md5 = known ?? (await md5File(path, (b) => report('hash', b))).md5;
  }
  assertUnchanged(path, st);
  state.set(path, st, md5);
  const out: Ingested = {
    isdir: false,
    md5,
    size: st.size,
    written,
    files: [{ path, md5, size: st.size }],
  };
  if (isExecutable(st.mode)) out.isexec = true;
  return out;
}

async function ingestDirectory(
  path: string,
  { store, state, onProgress, dvcRoot }: IngestOptions,
): Promise<Ingested> {
  const files = walkFiles(path, dvcRoot ? dvcIgnoreFor(path, dvcRoot) : undefined);
  const totalFiles = files.length;
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  // One entry per file, filled in as its md5 becomes known (stat cache, then hashing).
  const entries: DirEntry[] = new Array(totalFiles);
  const todo: number[] = [];
  for (const [i, f] of files.entries()) {
    const md5 = state.get(f.path, f);
    if (md5 === undefined) todo.push(i);
    else entries[i] = dirEntry(f, md5);
  }
  const storeProgress = (n: number, b: number): void =>
    onProgress?.({ phase: 'store', files: n, bytes: b, totalFiles, totalBytes });
  let written = 0;
  if (todo.length > 0 && store) {
    written = await storeWhileHashing(store, files, entries, todo, storeProgress);
  } else if (todo.length > 0) {
    const cachedFiles = totalFiles - todo.length;
    const cachedBytes = totalBytes - todo.reduce((n, i) => n + (files[i] as FileEntry).size, 0);
    await hashInto(files, entries, todo, {
      onProgress: (n, b) =>
        onProgress?.({
          phase: 'hash',
          files: cachedFiles + n,
          bytes: cachedBytes + b,
          totalFiles,
          totalBytes,
        }),
    });
  }
  for (const f of files) assertUnchanged(f.path, f);
  const manifest = buildDirManifest(entries, totalBytes);
  if (store) {
    // Every hash known beforehand: an unchanged tree costs one lookup of its manifest.
    if (todo.length === 0)
      written = (await store.addDirectory(manifest, entries, storeProgress)).written;
    else await store.addManifest(manifest);
  }
  for (const [i, f] of files.entries()) state.set(f.path, f, (entries[i] as DirEntry).md5);
  return {
    isdir: true,
    md5: manifest.md5,
    size: totalBytes,
    nfiles: manifest.nfiles,
    manifest,
    written,
    files: entries,
  };
}

interface DirEntry extends StoreFile {
  relpath: string;
}

function dirEntry(f: FileEntry, md5: string): DirEntry {
  return { relpath: f.relpath, path: f.path, size: f.size, md5 };
}

/**
 * Stores the files of a directory while the rest are hashed; resolves to the number of objects
 * written (the manifest is the caller's, once this resolves). A file this process cannot read
 * is refused before anything is sent; a store that fails stops the hashing. A failure later (a
 * file vanishing mid-run) can leave objects without a manifest, which nothing refers to.
 */
async function storeWhileHashing(
  store: ContentStore,
  files: readonly FileEntry[],
  entries: DirEntry[],
  todo: readonly number[],
  onProgress: (done: number, bytes: number) => void,
): Promise<number> {
  const unreadable = files.find((f) => !isReadable(f));
  if (unreadable) throw permissionDenied(unreadable.path);
  const queue = new BatchQueue<DirEntry>();
  const storing = store.addObjects(queue, { onProgress });
  const stop = new AbortController();
  storing.catch((err: unknown) => stop.abort(err));
  queue.push(entries.filter((e) => e !== undefined)); // the files the stat cache knew
  try {
    await hashInto(files, entries, todo, {
      signal: stop.signal,
      onEntries: (batch) => queue.push(batch),
    });
  } catch (err) {
    queue.fail(err);
    await storing.catch(() => undefined);
    throw err;
  }
  queue.end();
  return storing;
}

/** Hashes `files[todo[…]]` with every core, filling in their `entries` batch by batch. */
async function hashInto(
  files: readonly FileEntry[],
  entries: DirEntry[],
  todo: readonly number[],
  options: Omit<HashManyOptions, 'onBatch'> & { onEntries?: (batch: DirEntry[]) => void },
): Promise<void> {
  const { onEntries, ...hashOptions } = options;
  await hashFiles(
    todo.map((i) => (files[i] as FileEntry).path),
    todo.map((i) => (files[i] as FileEntry).size),
    {
      ...hashOptions,
      onBatch: (start, md5s) => {
        const batch = md5s.map((md5, k) => {
          const i = todo[start + k] as number;
          entries[i] = dirEntry(files[i] as FileEntry, md5);
          return entries[i];
        });
        onEntries?.(batch);
      },
    },
  );
}

/**
 * Refuses a file that changed while it was read (size, mtime or inode differ from before): its
 * bytes on disk are no longer the ones hashed and stored, so recording them would be a lie. What
 * was stored is consistent (content-addressed by what was read) and nothing refers to it.
 */
function assertUnchanged(
  path: string,
  before: { ino: number; size: number; mtimeMs: number },
): void {
  let after: Stats | undefined;
  try {
    after = statSync(path);
  } catch {
    after = undefined;
  }
  if (
    !after ||
    after.ino !== before.ino ||
    after.size !== before.size ||
    after.mtimeMs !== before.mtimeMs
  ) {
    throw new TroveError('INVALID_ARTIFACT', `${path} changed while it was being logged.`, {
      key: path,
      hint: 'Log it again once whatever writes it has finished.',
    });
  }
}
