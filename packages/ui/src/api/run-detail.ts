/** `/api/runs/<id>` and `/api/runs/<id>/tree`: a run's record, artifacts, events; a folder's files. */
import type { Store } from '@trove/core';
import { mapLimit } from '@trove/core/backend';
import { folderArtifact, folderFiles } from './run-files.js';

export interface ArtifactEntry {
  path: string;
  md5: string;
  size: number;
  nfiles?: number;
  type?: string;
  name?: string;
  step?: number;
  isDir: boolean;
  /** False when only metadata was logged (nothing to preview or download). */
  stored: boolean;
}

const PARALLEL = 16;

export async function runDetail(store: Store, runId: string) {
  const [run, artifacts, files] = await Promise.all([
    store.readRun(runId),
    store.readArtifacts(runId),
    store.listEventFiles(runId),
  ]);
  const events = await mapLimit(files, PARALLEL, async (file) => ({
    kind: file.kind,
    name: file.name,
    count: await countRows(store.readEventFile(file)),
  }));
  return {
    run,
    artifacts: Object.values(artifacts)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map(
        (a): ArtifactEntry => ({
          path: a.path,
          md5: a.md5,
          size: a.size,
          ...(a.nfiles !== undefined ? { nfiles: a.nfiles } : {}),
          ...(a.type !== undefined ? { type: a.type } : {}),
          name: a.name,
          ...(a.step !== undefined ? { step: a.step } : {}),
          isDir: a.isdir,
          stored: a.cached,
        }),
      ),
    events,
  };
}

/** Rows of an events stream: its lines after the header, counted as they stream by. */
async function countRows(stream: AsyncIterable<unknown>): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
    if (buf.length > 0) last = buf[buf.length - 1] as number;
  }
  // the header is the first line; rows start with a newline, so a last line has none after it
  return last === 0x0a ? Math.max(0, lines - 1) : lines;
}

export async function folderTree(store: Store, runId: string, path: string) {
  const folder = await folderArtifact(store, runId, path);
  const files = await folderFiles(store, folder);
  const entries = await mapLimit(files, PARALLEL, async (f) => ({
    path: f.path,
    md5: f.md5,
    size: (await store.objects.backend.stat(store.objects.key(f.md5))).size,
  }));
  return { entries };
}
