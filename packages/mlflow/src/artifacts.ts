/**
 * A run's artifacts as MLflow sees them: a tree of files under the run, listed one level at a
 * time (`list_artifacts` → `FileInfo`), downloaded by path. trove stores each logged file or
 * directory once (a directory as a `.dir` manifest), so the tree is the union of the run's
 * records, with directories expanded from their manifests.
 */
import { mkdtempSync, rmSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { checkout, resolveArtifactRef, type Store, TroveError } from '@trove/core';

/** MLflow's `FileInfo`: a path relative to the run's artifact root; no size for a folder. */
export interface FileInfo {
  path: string;
  isDir: boolean;
  fileSize: number | null;
}

interface TreeFile {
  path: string;
  md5: string;
  size?: number;
}

/** Every file of a run under `prefix` (a file path, a folder, or '' for all). */
async function runFiles(store: Store, runId: string, prefix: string): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const under = (p: string) => prefix === '' || p === prefix || p.startsWith(`${prefix}/`);
  const reaches = (p: string) => under(p) || prefix.startsWith(`${p}/`);
  for (const record of Object.values(await store.readArtifacts(runId))) {
    if (!record.cached || !reaches(record.path)) continue;
    if (!record.isdir) {
      files.push({ path: record.path, md5: record.md5, size: record.size });
      continue;
    }
    for (const e of await store.objects.readManifest(record.md5)) {
      const path = posix.join(record.path, e.relpath);
      if (under(path)) files.push({ path, md5: e.md5 });
    }
  }
  return files;
}

/** One level of a run's artifact tree, sorted by path (`mlflow.artifacts.list_artifacts`). */
export async function listRunArtifacts(
  store: Store,
  runId: string,
  path = '',
): Promise<FileInfo[]> {
  const prefix = path.replace(/^\/+|\/+$/g, '');
  const files = await runFiles(store, runId, prefix);
  const level = new Map<string, FileInfo & { md5?: string }>();
  for (const f of files) {
    if (f.path === prefix) continue; // a file path lists nothing, as in MLflow
    const rest = prefix === '' ? f.path : f.path.slice(prefix.length + 1);
    const slash = rest.indexOf('/');
    const child =
      prefix === ''
        ? rest.slice(0, slash < 0 ? undefined : slash)
        : `${prefix}/${rest.slice(0, slash < 0 ? undefined : slash)}`;
    if (slash >= 0) level.set(child, { path: child, isDir: true, fileSize: null });
    else level.set(child, { path: child, isDir: false, fileSize: f.size ?? -1, md5: f.md5 });
  }
  const out: FileInfo[] = [];
  for (const info of [...level.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (!info.isDir && info.fileSize === -1 && info.md5) {
      info.fileSize = (await store.objects.backend.stat(store.objects.key(info.md5))).size;
    }
    out.push({ path: info.path, isDir: info.isDir, fileSize: info.fileSize });
  }
  return out;
}

export interface DownloadArtifactsOptions {
  runId?: string;
  /** `runs:/<run>/<path>`, `models:/…`, or an md5. */
  artifactUri?: string;
  artifactPath?: string;
  /** Where to put it; a new temporary folder when omitted. */
  dstPath?: string;
}

/**
 * Downloads a file or folder of a run (or what a URI names) under `dstPath`, keeping its path
 * (`<dstPath>/<artifactPath>`), and returns the local path (`mlflow.artifacts.download_artifacts`).
 */
export async function downloadRunArtifacts(
  store: Store,
  options: DownloadArtifactsOptions,
): Promise<string> {
  // Everything is checked and found before a folder is made: a refusal leaves none behind.
  const plan = await planDownload(store, options);
  if (options.dstPath !== undefined) checkDestination(options.dstPath);
  const made =
    options.dstPath === undefined ? mkdtempSync(join(tmpdir(), 'trove-download-')) : undefined;
  const dst = options.dstPath ?? (made as string);
  try {
    if (plan.single)
      return (await checkout(store.objects, plan.single.md5, join(dst, plan.single.path))).path;
    for (const f of plan.files) await checkout(store.objects, f.md5, join(dst, f.path));
    return join(dst, plan.path);
  } catch (err) {
    if (made !== undefined) rmSync(made, { recursive: true, force: true });
    throw err;
  }
}

interface DownloadPlan {
  /** One stored file or folder, placed at `path` under the destination. */
  single?: { md5: string; path: string };
  files: TreeFile[];
  path: string;
}

async function planDownload(
  store: Store,
  options: DownloadArtifactsOptions,
): Promise<DownloadPlan> {
  if (options.artifactUri !== undefined) {
    if (options.runId !== undefined)
      throw new TroveError('INVALID_ARGUMENT', 'Give either runId or artifactUri, not both.');
    const found = await resolveArtifactRef(store, options.artifactUri);
    const name = found.record ? posix.basename(found.record.path) : found.name;
    return { single: { md5: found.md5, path: name }, files: [], path: name };
  }
  if (options.runId === undefined)
    throw new TroveError('INVALID_ARGUMENT', 'downloadArtifacts needs a runId or an artifactUri.');
  const runId = await store.resolveRunId(options.runId);
  const path = (options.artifactPath ?? '').replace(/^\/+|\/+$/g, '');
  if (path.split('/').includes('..'))
    throw new TroveError('INVALID_PATH', `Artifact path ${path} leaves the run.`);
  const exact = (await store.readArtifacts(runId))[path];
  if (exact?.cached) return { single: { md5: exact.md5, path }, files: [], path };
  const files = await runFiles(store, runId, path);
  if (files.length === 0)
    throw new TroveError('NOT_FOUND', `Run ${runId} has no artifact at "${path}".`);
  return { files, path };
}

/** `dstPath` is a folder, or made as one: a file in its place (or above it) is refused. */
function checkDestination(dstPath: string): void {
  for (let at = resolve(dstPath); dirname(at) !== at; at = dirname(at)) {
    let st: Stats;
    try {
      st = statSync(at);
    } catch {
      continue; // absent (or under a file, found further up)
    }
    if (st.isDirectory()) return;
    throw new TroveError(
      'INVALID_PATH',
      `dstPath ${dstPath} cannot be a folder: ${at} is a file.`,
      {
        key: at,
        hint: 'Give dstPath a folder, or a path that does not exist yet.',
      },
    );
  }
}
