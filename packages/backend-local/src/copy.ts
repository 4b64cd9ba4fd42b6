import { constants } from 'node:fs';
import { copyFile, type FileHandle, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ObjectStat } from '@trove/core/backend';
import { commitCreate, commitReplace } from './commit.js';
import { toObjectStat } from './etag.js';
import { rethrow } from './map-error.js';
import { tempPathBeside } from './paths.js';
import { discard, OBJECT_MODE } from './stage.js';

export interface CopyTarget {
  key: string;
  path: string;
  ifNoneMatch?: '*';
  signal?: AbortSignal;
}

/**
 * Copies the object file `source` to a temp name beside `target.path` — a reflink where the
 * filesystem can (free, copy-on-write), else the kernel's copy — then commits it like a write
 * (rename, or link for `ifNoneMatch`). The copy is mode 0444 and dated now.
 */
export async function copyObject(source: string, target: CopyTarget): Promise<ObjectStat> {
  const temp = tempPathBeside(target.path);
  const started = Date.now();
  let handle: FileHandle | undefined;
  try {
    await mkdir(dirname(target.path), { recursive: true });
    await copyFile(source, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    handle = await open(temp, 'r');
    await handle.chmod(OBJECT_MODE);
    // Some libuv versions carry the source's times over; the copy is a new object.
    if ((await handle.stat()).mtimeMs < started - 1000) await handle.utimes(new Date(), new Date());
    if (target.ifNoneMatch === '*') await commitCreate(temp, target);
    else await commitReplace(temp, handle, target);
    const st = await handle.stat({ bigint: true });
    await handle.close();
    return toObjectStat(target.key, st);
  } catch (err) {
    if (handle) await discard({ tempPath: temp, handle });
    else await unlink(temp).catch(() => {});
    rethrow(err, target.key, 'write');
  }
}
