import { accessSync, constants, lstatSync, type Stats, statSync } from 'node:fs';
import type { ContentStore } from './cas.js';
import { TroveError } from './errors.js';
import { mapFsError } from './fs-errors.js';
import { buildDirManifest, type DirManifest } from './hash/dir-manifest.js';
import { dvcIgnoreFor } from './hash/dvcignore.js';
import { hashFiles } from './hash/hash-pool.js';
import type { HashState } from './hash/hash-state.js';
import { md5File } from './hash/md5-file.js';
import { isExecutable, walkFiles } from './hash/walk.js';

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
}

/** Stat of a path to track: regular file or directory (following a top-level link), else an error. */
export function statArtifactPath(path: string): Stats {
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
  return st;
}

/**
 * Hashes a file or directory (skipping files the stat cache knows) and, with a store, puts
 * its content there. Hashing happens before any write, so a bad file anywhere in a directory
 * fails the call with nothing written.
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
  rememberIfUnchanged(state, path, st, md5);
  const out: Ingested = { isdir: false, md5, size: st.size, written };
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
  const md5s: Array<string | undefined> = files.map((f) => state.get(f.path, f));
  const todo = files.flatMap((_, i) => (md5s[i] === undefined ? [i] : []));
  if (todo.length > 0) {
    const cachedBytes = totalBytes - todo.reduce((n, i) => n + (files[i]?.size ?? 0), 0);
    const cachedFiles = totalFiles - todo.length;
    const hashed = await hashFiles(
      todo.map((i) => files[i]?.path as string),
      todo.map((i) => files[i]?.size as number),
      {
        onProgress: (n, b) =>
          onProgress?.({
            phase: 'hash',
            files: cachedFiles + n,
            bytes: cachedBytes + b,
            totalFiles,
            totalBytes,
          }),
      },
    );
    for (const [j, i] of todo.entries()) md5s[i] = hashed[j];
  }
  const entries = files.map((f, i) => ({
    relpath: f.relpath,
    path: f.path,
    size: f.size,
    md5: md5s[i] as string,
  }));
  const manifest = buildDirManifest(entries, totalBytes);
  let written = 0;
  if (store) {
    const r = await store.addDirectory(manifest, entries, (n, b) =>
      onProgress?.({ phase: 'store', files: n, bytes: b, totalFiles, totalBytes }),
    );
    written = r.written;
  }
  for (const [i, f] of files.entries()) state.set(f.path, f, md5s[i] as string);
  return {
    isdir: true,
    md5: manifest.md5,
    size: totalBytes,
    nfiles: manifest.nfiles,
    manifest,
    written,
  };
}

/** Records a hash only if the file did not change while it was read. */
function rememberIfUnchanged(state: HashState, path: string, before: Stats, md5: string): void {
  try {
    const after = statSync(path);
    if (
      after.ino === before.ino &&
      after.size === before.size &&
      after.mtimeMs === before.mtimeMs
    ) {
      state.set(path, after, md5);
    }
  } catch {
    // Gone already: nothing to remember.
  }
}
