/**
 * Where a file of a run is: its logical path is an artifact's (a file), or a file inside a
 * folder artifact (`<folder path>/<relpath>`, found in the folder's `.dir` manifest). Only what
 * the run recorded can be named, so no path reaches anything else in the store.
 */
import { type ArtifactRecord, type Store, TroveError } from '@trove/core';

export interface RunFile {
  path: string;
  md5: string;
}

/** A run's artifact records, read once for all a request takes from them. */
export interface RunArtifacts {
  run: string;
  artifacts: Record<string, ArtifactRecord>;
}

/** Each run's artifact records, in the order of `runIds`. */
export function readRunArtifacts(store: Store, runIds: readonly string[]): Promise<RunArtifacts[]> {
  return Promise.all(
    runIds.map(async (run) => ({ run, artifacts: await store.readArtifacts(run) })),
  );
}

/** The folder artifact at `path` (NOT_FOUND when the run has none there). */
export async function folderArtifact(
  store: Store,
  runId: string,
  path: string,
): Promise<ArtifactRecord> {
  const record = (await store.readArtifacts(runId))[path.replace(/\/+$/, '')];
  if (!record?.isdir) {
    throw new TroveError('NOT_FOUND', `Run ${runId} has no folder artifact at ${path}.`);
  }
  storedOrThrow(runId, record);
  return record;
}

/** The files of a folder artifact, by path in the run, in the manifest's order. */
export async function folderFiles(store: Store, record: ArtifactRecord): Promise<RunFile[]> {
  const entries = await store.objects.readManifest(record.md5);
  return entries.map((e) => ({ path: `${record.path}/${e.relpath}`, md5: e.md5 }));
}

/** The file at logical `path` in the run (its artifact records read unless given). */
export async function locateFile(
  store: Store,
  runId: string,
  path: string,
  records?: Record<string, ArtifactRecord>,
): Promise<RunFile> {
  const artifacts = records ?? (await store.readArtifacts(runId));
  const own = artifacts[path];
  if (own && !own.isdir) {
    storedOrThrow(runId, own);
    return { path, md5: own.md5 };
  }
  // the longest folder artifact the path is inside
  const folder = Object.values(artifacts)
    .filter((a) => a.isdir && path.startsWith(`${a.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (folder) {
    storedOrThrow(runId, folder);
    const rel = path.slice(folder.path.length + 1);
    const entry = (await store.objects.readManifest(folder.md5)).find((e) => e.relpath === rel);
    if (entry) return { path, md5: entry.md5 };
  }
  throw new TroveError('NOT_FOUND', `Run ${runId} has no file at ${path}.`);
}

function storedOrThrow(runId: string, record: ArtifactRecord): void {
  if (!record.cached) {
    throw new TroveError(
      'NOT_FOUND',
      `Artifact ${record.path} of run ${runId} was logged without its content (cache: false).`,
    );
  }
}

/** The content type a file is served with, by its extension. */
export function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

const TEXT = 'text/plain; charset=utf-8';
const TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  txt: TEXT,
  log: TEXT,
  md: TEXT,
  yaml: TEXT,
  yml: TEXT,
  py: TEXT,
  toml: TEXT,
  // a run's HTML is shown as text: it is never run in the app's origin
  html: TEXT,
  htm: TEXT,
  jsonl: TEXT,
  plx: TEXT,
};
