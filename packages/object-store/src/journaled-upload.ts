/**
 * A resumable upload with its journal around it, the same for every object store: the journal
 * is taken only for a local file with resume on, removed when the upload succeeds or fails for
 * good, and kept (unlocked) for the next attempt when the failure is worth resuming; what the
 * service holds of an upload that will not be resumed is dropped by the backend's `drop`.
 */
import {
  type FileVersion,
  isAbortError,
  type TroveError,
  type UploadIdentity,
  UploadJournal,
} from '@trove/core/backend';
import type { UploadBody } from './write-body.js';

/** A local file whose upload is journaled: its path and the version the journal is for. */
export interface JournaledFile extends FileVersion {
  path: string;
}

/** The file of `body` when its upload is to be journaled (a local file, with resume on). */
export function journaledFile(body: UploadBody, resume: boolean): JournaledFile | undefined {
  return body.kind === 'file' && resume ? { path: body.path, ...body.version } : undefined;
}

/** The version part of a journaled file, as journals compare it. */
export function versionOf(file: FileVersion): FileVersion {
  return { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino };
}

/** The journal of `file`'s upload to `where`, or undefined without a file (or when held elsewhere). */
export function openJournal<S>(
  resumeDir: string,
  where: Omit<UploadIdentity, 'path'>,
  file: JournaledFile | undefined,
): Promise<UploadJournal<S> | undefined> {
  return file
    ? UploadJournal.acquire<S>(resumeDir, { ...where, path: file.path })
    : Promise.resolve(undefined);
}

/** A failure a later attempt may get past: not an abort, and retryable as the service maps it. */
export function worthResuming(err: unknown, mapError: (err: unknown) => TroveError): boolean {
  return !isAbortError(err) && mapError(err).retryable;
}

export interface JournalPolicy {
  /** Whether this failure keeps the journal (only asked when there is one). */
  keep(err: unknown): boolean;
  /** Drops what the service holds of the upload when its journal is not kept. */
  drop?(): Promise<void>;
}

/** Runs `upload` with `journal` (see the module comment). */
export async function journaled<S, T>(
  journal: UploadJournal<S> | undefined,
  upload: () => Promise<T>,
  policy: JournalPolicy,
): Promise<T> {
  let out: T;
  try {
    out = await upload();
  } catch (err) {
    const keep = journal !== undefined && policy.keep(err);
    if (!keep) await policy.drop?.();
    if (keep) await journal.release();
    else await journal?.finish();
    throw err;
  }
  await journal?.finish();
  return out;
}
