import { randomInt } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { type FileHandle, open, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { breakLock, TroveError } from '@trove/core/backend';
import { lockPathOf, tempPathBeside } from './paths.js';

/** A lock file older than this is taken to be left by a crashed process and is broken. */
export const STALE_LOCK_MS = 30_000;
/** How long to wait for a lock before giving up (longer than STALE_LOCK_MS, so a stale one is broken first). */
const LOCK_TIMEOUT_MS = 60_000;
const MAX_BACKOFF_MS = 50;

interface HeldLock {
  path: string;
  handle: FileHandle;
  ino: bigint;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** The key, for errors. */
  key?: string;
}

/**
 * Runs `fn` while holding the lock file of `path` (`<dir>/.trove-tmp-lock-<name>`, created
 * with O_EXCL, so one holder across all processes on this filesystem). The lock is only held
 * for a compare and a rename, never while bytes are copied.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lock = await acquire(lockPathOf(path), options);
  try {
    return await fn();
  } finally {
    await release(lock);
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<HeldLock> {
  const started = Date.now();
  let backoff = 1;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx', 0o644);
      try {
        await handle.write(`${process.pid}@${hostname()}\n`);
        const { ino } = await handle.stat({ bigint: true });
        return { path: lockPath, handle, ino };
      } catch (err) {
        await handle.close().catch(() => {});
        await unlink(lockPath).catch(() => {});
        throw err;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await breakIfStale(lockPath)) continue;
    if (Date.now() - started > LOCK_TIMEOUT_MS) {
      throw new TroveError('UNAVAILABLE', `Timed out waiting for the lock ${lockPath}.`, {
        backend: 'local',
        key: options.key,
        retryable: true,
        hint: `If no trove process is running, remove ${lockPath}.`,
      });
    }
    await sleep(backoff + randomInt(backoff + 1));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

/** Removes the lock if it is stale (`breakLock`); true when the caller should retry now. */
export async function breakIfStale(lockPath: string): Promise<boolean> {
  let seen: BigIntStats;
  try {
    seen = await stat(lockPath, { bigint: true });
  } catch {
    return true; // released meanwhile
  }
  if (Date.now() - Number(seen.mtimeMs) < STALE_LOCK_MS) return false;
  await breakLock(lockPath, seen.ino, tempPathBeside(lockPath));
  return true;
}

async function release(lock: HeldLock): Promise<void> {
  try {
    // Only remove the lock file if it is still ours (it is not, if it was broken as stale).
    const current = await stat(lock.path, { bigint: true });
    if (current.ino === lock.ino) await unlink(lock.path);
  } catch {
    // already gone
  } finally {
    await lock.handle.close().catch(() => {});
  }
}
