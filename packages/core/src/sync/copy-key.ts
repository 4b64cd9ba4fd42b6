/**
 * One object from one store to another, create-only. When the target can copy from the source
 * on the server (the same service and endpoint: `copyFrom`), no byte passes through this
 * process; otherwise the bytes stream from the source's read into the target's write with
 * bounded memory, and a write given `md5` fails (`CORRUPT`, leaving nothing behind) when the
 * bytes that arrived have another one. A server-side copy is checked against `md5` by what the
 * service reports of the copy (S3's single-part ETag, GCS's md5Hash, Azure's Content-MD5);
 * one found wrong is removed and `CORRUPT`. Backends never show a partial object, so a copy
 * killed midway leaves nothing at the key and the next sync sends it whole.
 */
import type { ObjectStat, StorageBackend } from '../backend/contract.js';
import { isTroveError, TroveError } from '../errors.js';

export interface CopyKeyOptions {
  /** The md5 (hex) the bytes must have on arrival. */
  md5?: string;
  size?: number;
  signal?: AbortSignal;
}

/** The two ends of one copy. */
interface Ends {
  from: StorageBackend;
  fromKey: string;
  to: StorageBackend;
  toKey: string;
}

/** How an object went: on the server, or streamed through this process. */
export type CopyWay = 'server' | 'stream';

/** Copies `fromKey` to `toKey` unless the target has it; resolves to how it wrote, or `false`. */
export async function copyKey(
  from: StorageBackend,
  fromKey: string,
  to: StorageBackend,
  toKey: string,
  options: CopyKeyOptions = {},
): Promise<CopyWay | false> {
  const ends: Ends = { from, fromKey, to, toKey };
  try {
    const copied = await serverCopy(ends, options);
    if (copied) {
      await checkArrived(to, toKey, copied, options);
      return 'server';
    }
    await streamCopy(ends, options);
    return 'stream';
  } catch (err) {
    if (isTroveError(err, 'PRECONDITION_FAILED')) return false;
    throw err;
  }
}

/** The server-side copy, `undefined` when the pair cannot (or the target may not read the source). */
async function serverCopy(
  { from, fromKey, to, toKey }: Ends,
  { signal }: CopyKeyOptions,
): Promise<ObjectStat | undefined> {
  if (!to.copyFrom) return undefined;
  try {
    return await to.copyFrom(from, fromKey, toKey, {
      ifNoneMatch: '*',
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    // The target's credentials may not reach the source's bucket: the bytes can still stream.
    if (isTroveError(err, 'PERMISSION_DENIED')) return undefined;
    throw err;
  }
}

async function checkArrived(
  to: StorageBackend,
  toKey: string,
  copied: ObjectStat,
  { md5, size }: CopyKeyOptions,
): Promise<void> {
  const wrongMd5 = md5 !== undefined && copied.md5 !== undefined && copied.md5 !== md5;
  const wrongSize = size !== undefined && copied.size !== size;
  if (!wrongMd5 && !wrongSize) return;
  await to.delete(toKey);
  const got = wrongMd5 ? `md5 ${copied.md5}` : `${copied.size} bytes`;
  throw new TroveError('CORRUPT', `The copy of ${md5 ?? toKey} arrived with ${got}.`, {
    key: toKey,
    backend: to.kind,
    hint: 'The source copy is damaged: run `trove verify` on the source store.',
  });
}

async function streamCopy(
  { from, fromKey, to, toKey }: Ends,
  options: CopyKeyOptions,
): Promise<void> {
  const { signal } = options;
  const { body, stat } = await from.read(fromKey, signal ? { signal } : {});
  try {
    await to.write(toKey, body, {
      ifNoneMatch: '*',
      size: options.size ?? stat.size,
      ...(options.md5 !== undefined ? { md5: options.md5 } : {}),
      ...(signal ? { signal } : {}),
    });
  } finally {
    body.destroy();
  }
}
