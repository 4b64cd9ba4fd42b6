/**
 * What interrupted uploads leave, swept for `trove gc` (`cleanup` of an object store): uploads
 * the service still holds (S3 multipart uploads, GCS resumable sessions, Azure uncommitted
 * blocks), which are billed and which `list` never shows, and their resume journals. An upload
 * goes when it was started before `olderThan` and no live process holds its journal. Where the
 * service lists open uploads (`listOpen`), those of other machines (no journal here) go too;
 * where it cannot (GCS sessions, Azure blocks), the abandoned journals name what to drop.
 */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  abandonedJournals,
  type CleanupOptions,
  type CleanupResult,
  type JournalEntry,
  tempOwnerGone,
} from '@trove/core/backend';

/** A journal's temp file older than this was left by a process that died while saving it. */
const STALE_TEMP_MS = 60_000;

/** An upload the service holds. */
export interface OpenUpload {
  key: string;
  /** The upload's id as journals record it (`uploadOf`). */
  id: string;
  /** When it started, where the service says. */
  started?: Date;
}

/** How a backend's leftovers are found and dropped. */
export interface JournalSweep {
  /** Where the backend keeps its resume journals. */
  readonly resumeDir: string;
  /** The journals' `endpoint` and `container`: only this store's are swept. */
  readonly endpoint: string;
  readonly container: string;
  /** The upload id a journal's state names (an upload id, a session URI, a block-id prefix). */
  uploadOf(state: unknown): string | undefined;
  /** Every upload open under `prefix`, where the service can list them. */
  listOpen?(prefix: string, signal?: AbortSignal): Promise<OpenUpload[]>;
  /**
   * Drops an upload on the service (abort, cancel the session, discard the blocks); with
   * `dryRun` only says what it holds. Returns a line for the report and its bytes where known,
   * or `undefined` when nothing of it is left.
   */
  discard(
    upload: OpenUpload,
    dryRun: boolean,
    signal?: AbortSignal,
  ): Promise<{ detail: string; bytes: number } | undefined>;
}

/** An `uploadOf` for journals whose state names the upload in the string field `name`. */
export function stateField(name: string): (state: unknown) => string | undefined {
  return (state) => {
    const value = (state as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : undefined;
  };
}

/** Removes (or, dry run, counts) the leftovers of `kind`'s uploads under `options.prefix`. */
export async function sweepJournals(
  kind: string,
  sweep: JournalSweep,
  options: CleanupOptions,
): Promise<CleanupResult> {
  const result: CleanupResult = { items: 0, bytes: 0, details: [] };
  const found = (detail: string, bytes = 0): void => {
    result.items++;
    result.bytes += bytes;
    result.details.push(detail);
  };
  const prefix = options.prefix ? `${options.prefix}/` : '';
  const cutoff = options.olderThan.getTime();
  const dir = sweep.resumeDir;
  const mine = (entry: JournalEntry<unknown> | undefined): entry is JournalEntry<unknown> =>
    entry?.identity?.backend === kind &&
    entry.identity.endpoint === sweep.endpoint &&
    entry.identity.container === sweep.container &&
    entry.identity.key.startsWith(prefix);
  const abandoned = new Map((await abandonedJournals(dir)).map((j) => [j.file, j]));
  // An upload is as young as its journal here says, whatever the service says (moto reports
  // one fixed date for every upload).
  const saved = new Map<string, number>();
  for (const j of abandoned.values()) {
    const id = mine(j.entry) ? sweep.uploadOf(j.entry.state) : undefined;
    if (id !== undefined) saved.set(id, j.mtimeMs);
  }
  const live = new Set<string>();
  for (const [file, entry] of await readJournals(dir)) {
    const id = mine(entry) ? sweep.uploadOf(entry.state) : undefined;
    if (id !== undefined && !abandoned.has(file)) live.add(id);
  }

  // Uploads the service lists: those started before the cutoff and held by no live journal.
  const stillOpen = new Set<string>();
  if (sweep.listOpen) {
    for (const upload of await sweep.listOpen(prefix, options.signal)) {
      const started = Math.max(upload.started?.getTime() ?? 0, saved.get(upload.id) ?? 0);
      if (started >= cutoff || live.has(upload.id)) {
        stillOpen.add(upload.id);
        continue;
      }
      const dropped = await sweep.discard(upload, options.dryRun, options.signal);
      if (dropped) found(dropped.detail, dropped.bytes);
    }
  }

  for (const [file, j] of abandoned) {
    // A journal nobody can read, or a lock without one, whose owner is dead, serves no one.
    if (j.entry !== undefined && !mine(j.entry)) continue;
    const id = j.entry ? sweep.uploadOf(j.entry.state) : undefined;
    const gone = sweep.listOpen !== undefined && !stillOpen.has(id ?? '');
    if (j.entry !== undefined && j.mtimeMs >= cutoff && !gone) continue;
    if (j.entry && id !== undefined && !sweep.listOpen) {
      const upload = { key: j.entry.identity.key, id };
      const dropped = await sweep.discard(upload, options.dryRun, options.signal);
      if (dropped) found(dropped.detail, dropped.bytes);
    }
    if (!options.dryRun) {
      await unlink(file).catch(() => {});
      await unlink(`${file}.lock`).catch(() => {});
    }
    found(`resume journal ${file} (${j.entry?.identity.key ?? 'unreadable'})`);
  }

  // Temp files of journals and locks being written when their process died: at once when the
  // name says whose they were and that process is gone, after a minute otherwise.
  const tempCutoff = Math.min(cutoff, Date.now() - STALE_TEMP_MS);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.tmp') && !name.endsWith('.stale')) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st || (st.mtimeMs >= tempCutoff && !tempOwnerGone(name))) continue;
    if (!options.dryRun) await unlink(path).catch(() => {});
    found(`journal temp file ${path}`, st.size);
  }
  return result;
}

async function readJournals(dir: string): Promise<Map<string, JournalEntry<unknown> | undefined>> {
  const out = new Map<string, JournalEntry<unknown> | undefined>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    try {
      out.set(file, JSON.parse(await readFile(file, 'utf8')) as JournalEntry<unknown>);
    } catch {
      out.set(file, undefined);
    }
  }
  return out;
}
