import type { BigIntStats } from 'node:fs';
import { type FileHandle, link, rename, stat, unlink } from 'node:fs/promises';
import { checkWriteConditions, preconditionFailed } from '@trove/core/backend';
import { KIND } from './context.js';
import { etagOf } from './etag.js';
import { withFileLock } from './lock.js';

/** errno values of `link()` on a filesystem without hard links. */
const NO_HARDLINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export interface CommitTarget {
  readonly key: string;
  /** Final path of the object. */
  readonly path: string;
  readonly signal?: AbortSignal;
}

/** Unconditional commit: rename the temp file over the final name (atomic for readers). */
export async function commitReplace(
  tempPath: string,
  handle: FileHandle | undefined,
  target: CommitTarget,
): Promise<void> {
  if (handle) await keepMtimeIncreasing(handle, await statIfFile(target.path));
  await rename(tempPath, target.path);
}

/**
 * Create-only commit (`ifNoneMatch: "*"`): `link()` fails with EEXIST if anything holds the
 * name, in every process at once. The temp name is removed afterwards. Where hard links are not
 * supported, the same check-and-rename runs under the key's lock file instead.
 */
export async function commitCreate(tempPath: string, target: CommitTarget): Promise<void> {
  try {
    await link(tempPath, target.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') throw preconditionFailed(KIND, target.key);
    if (!NO_HARDLINKS.has(code)) throw err;
    await withFileLock(
      target.path,
      async () => {
        if ((await statIfAny(target.path)) !== undefined)
          throw preconditionFailed(KIND, target.key);
        await rename(tempPath, target.path);
      },
      target,
    );
    return;
  }
  await unlink(tempPath);
}

/**
 * Compare-and-swap commit (`ifMatch`): under the key's lock file, the current etag is compared
 * and the temp file renamed over the object. Every process that writes with `ifMatch` takes the
 * same lock, so no update is lost between the compare and the rename.
 */
export async function commitIfMatch(
  tempPath: string,
  handle: FileHandle,
  target: CommitTarget,
  etag: string,
): Promise<void> {
  await withFileLock(
    target.path,
    async () => {
      const current = await statIfFile(target.path);
      assertMatches(current, etag, target.key);
      await keepMtimeIncreasing(handle, current);
      await rename(tempPath, target.path);
    },
    target,
  );
}

/** `NOT_FOUND` when absent, `PRECONDITION_FAILED` when the etag differs. */
export function assertMatches(current: BigIntStats | undefined, etag: string, key: string): void {
  checkWriteConditions(KIND, key, current && etagOf(current), { ifMatch: etag });
}

/** stat() of a regular file, or undefined when there is none (absent, or a folder). */
export async function statIfFile(path: string): Promise<BigIntStats | undefined> {
  const st = await statIfAny(path);
  return st?.isFile() ? st : undefined;
}

async function statIfAny(path: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Gives the new file an mtime later than the version it replaces. File timestamps are coarse
 * (a clock tick), and filesystems reuse a freed inode number at once, so without this two
 * quick versions of a key could share inode, size and mtime, and a stale etag would match.
 */
async function keepMtimeIncreasing(
  handle: FileHandle,
  previous: BigIntStats | undefined,
): Promise<void> {
  if (previous === undefined) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const mine = await handle.stat({ bigint: true });
    if (mine.mtimeNs > previous.mtimeNs) return;
    // utimes takes seconds as a double (sub-µs resolution today); 2 µs is comfortably more.
    const seconds = Number(previous.mtimeNs + 2_000n * BigInt(attempt + 1)) / 1e9;
    await handle.utimes(Number(mine.atimeNs) / 1e9, seconds);
  }
}
