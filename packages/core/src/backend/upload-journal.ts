/**
 * Resume journals for large uploads of local files, shared by the object-store backends (S3
 * multipart, GCS resumable sessions, Azure block lists). A journal is a small JSON file in the
 * backend's `resumeDir`, one per (backend, endpoint, bucket, key, local path), holding what the
 * service needs to continue the upload (an upload id, a session URI, a block-id prefix) and the
 * version of the file it was for.
 *
 * A journal is owned: `acquireUploadJournal` takes `<journal>.lock` create-only (O_EXCL) and
 * writes its pid, host and process start into it. A second process that finds a live owner gets
 * `undefined` and uploads on its own, without resume, so a live upload is never joined; for
 * content-addressed keys the create-only commit then lets one writer win and the others find
 * the object. A lock whose process is gone (same host: the pid is dead or was reused; another
 * host: no heartbeat for `STALE_JOURNAL_MS`) is broken: renamed aside atomically, and linked
 * back if what was moved turns out to be a fresh lock taken in between.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { readFileSync } from 'node:fs';
import {
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A lock from another host with no heartbeat for this long is taken to be abandoned. */
export const STALE_JOURNAL_MS = 60 * 60 * 1000;

/** What an upload is of, and to where: everything must match for a journal to be reused. */
export interface UploadIdentity {
  /** "s3", "gcs", "azure", … */
  backend: string;
  /** The service endpoint (`aws`, a URL): the same bucket name on two servers is two uploads. */
  endpoint: string;
  /** Bucket or container. */
  container: string;
  key: string;
  /** The local file's absolute path. */
  path: string;
}

/** The version of the local file an upload was for; another version starts over. */
export interface FileVersion {
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface JournalEntry<S> {
  version: 1;
  identity: UploadIdentity;
  file: FileVersion;
  /** The backend's own resume state (upload id, session URI, block prefix, part size…). */
  state: S;
  createdAt: string;
}

/** The default `resumeDir` of a backend kind. */
export function defaultResumeDir(backend: string): string {
  return join(tmpdir(), `trove-${backend}-uploads`);
}

/** An owned journal: the lock is held until `finish()` or `release()`. */
export class UploadJournal<S> {
  readonly file: string;
  readonly #lock: { path: string; ino: bigint };
  readonly #identity: UploadIdentity;
  /** What an earlier attempt (by any process) left for this identity, if anything. */
  readonly previous: JournalEntry<S> | undefined;

  private constructor(
    file: string,
    lock: { path: string; ino: bigint },
    identity: UploadIdentity,
    previous: JournalEntry<S> | undefined,
  ) {
    this.file = file;
    this.#lock = lock;
    this.#identity = identity;
    this.previous = previous;
  }

  /**
   * Takes the journal of `identity` in `dir`. `undefined` when another live process holds it
   * (upload without resume then), or when `dir` cannot be written (resume is off, not an error).
   */
  static async acquire<S>(
    dir: string,
    identity: UploadIdentity,
  ): Promise<UploadJournal<S> | undefined> {
    const file = journalFile(dir, identity);
    const lockPath = `${file}.lock`;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch {
      return undefined;
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const ino = await createLock(lockPath);
      if (ino !== undefined) {
        const previous = await loadEntry<S>(file, identity);
        return new UploadJournal<S>(file, { path: lockPath, ino }, identity, previous);
      }
      if (!(await breakIfAbandoned(lockPath))) return undefined;
    }
    return undefined;
  }

  /** The earlier attempt's state, if it was for this very version of the file. */
  resumable(file: FileVersion): S | undefined {
    const p = this.previous;
    if (!p) return undefined;
    const same =
      p.file.size === file.size && p.file.mtimeMs === file.mtimeMs && p.file.ino === file.ino;
    return same ? p.state : undefined;
  }

  /** Records the state of the upload (atomic: temp file + rename) and refreshes the lock's heartbeat. */
  async save(file: FileVersion, state: S): Promise<void> {
    const entry: JournalEntry<S> = {
      version: 1,
      identity: this.#identity,
      file,
      state,
      createdAt: new Date().toISOString(),
    };
    const temp = ownedTemp(this.file);
    await writeFile(temp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
    const now = new Date();
    await utimes(this.#lock.path, now, now).catch(() => {});
  }

  /** The upload completed or was abandoned for good: the journal and its lock go. */
  async finish(): Promise<void> {
    await unlink(this.file).catch(() => {});
    await this.release();
  }

  /** Keeps the journal for a later attempt and lets go of the lock. */
  async release(): Promise<void> {
    try {
      const current = await stat(this.#lock.path, { bigint: true });
      if (current.ino === this.#lock.ino) await unlink(this.#lock.path);
    } catch {
      // already gone
    }
  }
}

/**
 * Journals in `dir` that no live process holds, with their entries (for `trove gc`); a lock left
 * without its journal comes with no entry.
 */
export async function abandonedJournals(
  dir: string,
): Promise<Array<{ file: string; entry: JournalEntry<unknown> | undefined; mtimeMs: number }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Array<{ file: string; entry: JournalEntry<unknown> | undefined; mtimeMs: number }> =
    [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    const lock = await readLock(`${file}.lock`);
    if (lock && isLive(lock.owner, lock.stat)) continue;
    let entry: JournalEntry<unknown> | undefined;
    try {
      entry = JSON.parse(await readFile(file, 'utf8')) as JournalEntry<unknown>;
    } catch {
      entry = undefined;
    }
    const st = await stat(file).catch(() => undefined);
    if (st) out.push({ file, entry, mtimeMs: st.mtimeMs });
  }
  // A lock whose process died before it wrote its journal: reported without an entry.
  for (const name of names) {
    if (!name.endsWith('.json.lock') || names.includes(name.slice(0, -5))) continue;
    const lock = await readLock(join(dir, name));
    if (!lock || isLive(lock.owner, lock.stat)) continue;
    out.push({
      file: join(dir, name.slice(0, -5)),
      entry: undefined,
      mtimeMs: Number(lock.stat.mtimeMs),
    });
  }
  return out;
}

function journalFile(dir: string, id: UploadIdentity): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([id.backend, id.endpoint, id.container, id.key, id.path]))
    .digest('hex');
  return join(dir, `${digest.slice(0, 40)}.json`);
}

async function loadEntry<S>(
  file: string,
  id: UploadIdentity,
): Promise<JournalEntry<S> | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as JournalEntry<S>;
    const same =
      entry.version === 1 &&
      entry.identity?.backend === id.backend &&
      entry.identity.endpoint === id.endpoint &&
      entry.identity.container === id.container &&
      entry.identity.key === id.key &&
      entry.identity.path === id.path;
    return same ? entry : undefined;
  } catch {
    return undefined; // none, or damaged: it is only a way to save work
  }
}

interface LockOwner {
  pid: number;
  host: string;
  /** The owner's process start (Linux clock ticks since boot), so a reused pid is not taken for it. */
  start: string | undefined;
}

async function createLock(lockPath: string): Promise<bigint | undefined> {
  // Written whole beside the lock, then linked into place (create-only): a lock is never seen
  // empty, so one whose process was killed while taking it is not taken for live for an hour.
  const owner = self();
  const temp = ownedTemp(lockPath);
  await writeFile(temp, JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
  try {
    const ino = (await stat(temp, { bigint: true })).ino;
    await link(temp, lockPath);
    return ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * A temporary file beside `path` whose name says which process made it
 * (`<path>.<host>-<pid>-<start>.<random>.tmp`), so `trove gc` can drop it as soon as that
 * process is gone, not only after a minute (`tempOwnerGone`).
 */
export function ownedTemp(path: string, suffix = 'tmp'): string {
  const me = self();
  const tag = `${hostTag()}-${me.pid}-${me.start ?? ''}`;
  return `${path}.${tag}.${randomBytes(4).toString('hex')}.${suffix}`;
}

/** This process as a lock's owner (read from /proc once: it does not change while it runs). */
let selfOwner: LockOwner | undefined;
function self(): LockOwner {
  selfOwner ??= { pid: process.pid, host: hostname(), start: processStart(process.pid) };
  return selfOwner;
}

let selfHostTag: string | undefined;
function hostTag(): string {
  selfHostTag ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  return selfHostTag;
}

/**
 * True when `name` is a temporary file of `ownedTemp` made on this host by a process that is
 * gone (dead, a zombie, or its pid reused): what it was being written for will never finish.
 */
export function tempOwnerGone(name: string): boolean {
  const m = /\.([0-9a-f]{8})-(\d+)-(\d*)\.[0-9a-f]{8}\.(?:tmp|stale)$/.exec(name);
  if (!m || m[1] !== hostTag()) return false;
  const owner: LockOwner = { pid: Number(m[2]), host: hostname(), start: m[3] || undefined };
  return !ownerLive(owner);
}

async function readLock(
  lockPath: string,
): Promise<{ owner: LockOwner | undefined; stat: BigIntStats } | undefined> {
  try {
    const st = await stat(lockPath, { bigint: true });
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
    } catch {
      owner = undefined; // being written, or damaged
    }
    return { owner, stat: st };
  } catch {
    return undefined;
  }
}

function isLive(owner: LockOwner | undefined, st: BigIntStats): boolean {
  const age = Date.now() - Number(st.mtimeMs);
  if (!owner || owner.host !== hostname()) return age < STALE_JOURNAL_MS;
  return ownerLive(owner);
}

/** Whether the process of a lock taken on this host still runs. */
function ownerLive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const proc = procStat(owner.pid);
  // A killed process stays a zombie until its parent reaps it (seconds under a slow PID 1, for
  // ever in a container without an init): it answers kill(0) but will never finish its upload.
  if (proc && (proc.state === 'Z' || proc.state === 'X')) return false;
  return owner.start === undefined || owner.start === proc?.start;
}

/** Removes an abandoned lock; false when its owner is alive. */
async function breakIfAbandoned(lockPath: string): Promise<boolean> {
  const seen = await readLock(lockPath);
  if (!seen) return true; // released meanwhile
  if (isLive(seen.owner, seen.stat)) return false;
  await breakLock(lockPath, seen.stat.ino, ownedTemp(lockPath, 'stale'));
  return true;
}

/**
 * Removes the lock file `lockPath` that was seen with inode `seenIno` and judged abandoned. It is
 * renamed aside first (atomic), so of two processes breaking the same lock only one succeeds; if
 * what was moved turns out to be a fresh lock taken in between, it is linked back.
 */
export async function breakLock(lockPath: string, seenIno: bigint, aside: string): Promise<void> {
  try {
    await rename(lockPath, aside);
  } catch {
    return; // released or broken meanwhile
  }
  try {
    const moved = await stat(aside, { bigint: true });
    if (moved.ino !== seenIno) await link(aside, lockPath).catch(() => {});
  } finally {
    await unlink(aside).catch(() => {});
  }
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** A process's state (field 3) and start (field 22) from /proc, where there is one (Linux). */
function procStat(
  pid: number,
): { state: string | undefined; start: string | undefined } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], start: fields[19] };
  } catch {
    return undefined;
  }
}
