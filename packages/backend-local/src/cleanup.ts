import type { Dirent } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CleanupOptions, CleanupResult } from '@trove/core/backend';
import { breakIfStale, STALE_LOCK_MS } from './lock.js';
import { TEMP_PREFIX } from './paths.js';

/**
 * What a killed process leaves in the store folder: temp files of writes that never committed
 * (`.trove-tmp-<random>`, beside the object they were for) and lock files (`.trove-tmp-lock-…`).
 * `list` never shows them, so only this finds them. A temp file goes when it was last written
 * before `olderThan`; a lock only when it is also older than `STALE_LOCK_MS`, the age at which
 * any writer would break it anyway (locks are held for a compare and a rename, never longer).
 */
export async function cleanupFolder(root: string, options: CleanupOptions): Promise<CleanupResult> {
  const result: CleanupResult = { items: 0, bytes: 0, details: [] };
  const lockCutoff = Math.min(options.olderThan.getTime(), Date.now() - STALE_LOCK_MS);
  const visit = async (dir: string): Promise<void> => {
    options.signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone, or not a folder
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (!entry.name.startsWith(TEMP_PREFIX)) {
        if (entry.isDirectory()) await visit(path);
        continue;
      }
      const st = await lstat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      const isLock = entry.name.startsWith(`${TEMP_PREFIX}-lock-`);
      if (st.mtimeMs >= (isLock ? lockCutoff : options.olderThan.getTime())) continue;
      if (!options.dryRun) {
        const removed = isLock
          ? await breakIfStale(path)
          : await unlink(path).then(
              () => true,
              () => false,
            );
        if (!removed) continue;
      }
      result.items++;
      result.bytes += st.size;
      result.details.push(
        `${isLock ? 'stale lock' : 'temp file'} ${relative(root, path)} (${st.size} bytes)`,
      );
    }
  };
  await visit(options.prefix ? join(root, options.prefix) : root);
  return result;
}
