import {
  type ObjectStat,
  preconditionFailed,
  TroveError,
  type WriteBody,
  type WriteOptions,
} from '@trove/core/backend';
import { assertMatches, commitCreate, commitIfMatch, commitReplace } from './commit.js';
import { KIND, type LocalContext } from './context.js';
import { toObjectStat } from './etag.js';
import { headObject } from './head.js';
import { rethrow } from './map-error.js';
import { discard, stageBody } from './stage.js';

/**
 * Stages the body beside the object (hashing it on the way), checks its md5, then commits it:
 * rename for a plain write, link for `ifNoneMatch`, compare-and-rename under the key's lock for
 * `ifMatch`. A failed write removes its temp file.
 */
export async function writeObject(
  ctx: LocalContext,
  path: string,
  key: string,
  body: WriteBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  // Checked before the bytes are copied (cheap), and again atomically at commit.
  if (options.ifNoneMatch === '*' && (await headObject(path, key))) {
    throw preconditionFailed(KIND, key);
  }
  if (options.ifMatch !== undefined)
    assertMatches(await headObject(path, key), options.ifMatch, key);
  let staged: Awaited<ReturnType<typeof stageBody>>;
  try {
    staged = await stageBody(path, body, { ...options, fsync: ctx.fsync });
  } catch (err) {
    if (isSourceError(err, body)) rethrow(err, body.path, 'read');
    rethrow(err, key, 'write');
  }
  try {
    if (options.md5 !== undefined && options.md5.toLowerCase() !== staged.md5) {
      throw new TroveError(
        'CORRUPT',
        `Bytes written to ${key} have md5 ${staged.md5}, not ${options.md5}.`,
        { backend: KIND, key },
      );
    }
    const target = { key, path, signal: options.signal };
    if (options.ifNoneMatch === '*') await commitCreate(staged.tempPath, target);
    else if (options.ifMatch !== undefined)
      await commitIfMatch(staged.tempPath, staged.handle, target, options.ifMatch);
    else await commitReplace(staged.tempPath, staged.handle, target);
    // rename/link keep the inode and mtime: this is the committed object's stat.
    const st = await staged.handle.stat({ bigint: true });
    await staged.handle.close();
    return toObjectStat(key, st, staged.md5);
  } catch (err) {
    await discard(staged);
    rethrow(err, key, 'write');
  }
}

/** True when a `{ path }` body's own file could not be read (the error names the source path). */
function isSourceError(err: unknown, body: WriteBody): body is { path: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    'path' in body &&
    (err as NodeJS.ErrnoException)?.path === body.path
  );
}
