import {
  errnoCode,
  isAbortError,
  isTroveError,
  TroveError,
  type TroveErrorCode,
} from '@trove/core/backend';

/**
 * What the failed operation was doing: `read` (looking an object up: a missing file or a folder
 * in its place means "no object") or `write` (creating one: a folder or file in the way means
 * the key collides with another key, which a filesystem cannot hold side by side).
 */
export type FsIntent = 'read' | 'write';

const UNAVAILABLE = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EBUSY',
  'EINTR',
  'ENOMEM',
  'ETIMEDOUT',
  'ESTALE',
  'ENOLCK',
]);

/** Turns a Node fs error into a TroveError (`backend: "local"`, the original as `cause`). */
export function mapFsError(
  err: unknown,
  key: string | undefined,
  intent: FsIntent = 'read',
): TroveError {
  if (isTroveError(err)) return err;
  const errno = errnoCode(err);
  const make = (
    code: TroveErrorCode,
    message: string,
    extra: { retryable?: boolean; hint?: string } = {},
  ) => new TroveError(code, message, { backend: 'local', key, cause: err, ...extra });
  const what = key === undefined ? 'the local store' : JSON.stringify(key);
  switch (errno) {
    case 'ENOENT':
      return make('NOT_FOUND', `No object at ${what}.`);
    case 'ENOTDIR':
    case 'EISDIR':
    case 'ENOTEMPTY':
    case 'EEXIST':
      return intent === 'read'
        ? make('NOT_FOUND', `No object at ${what}.`)
        : make('ALREADY_EXISTS', `${what} collides with a key already in the local store.`, {
            hint: 'A folder store cannot hold both "a" and "a/b": one of the two keys must change.',
          });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return make('PERMISSION_DENIED', `Permission denied (${errno}) on ${what}.`, {
        hint: 'Check the owner and mode of the store folder.',
      });
    case 'ENAMETOOLONG':
    case 'ELOOP':
      return make('INVALID_KEY', `${what} is not a valid file name here (${errno}).`, {
        hint: 'Each key segment must fit the filesystem (usually 255 bytes).',
      });
    default:
      if (errno !== undefined && UNAVAILABLE.has(errno)) {
        return make('UNAVAILABLE', `The local store is unavailable (${errno}) for ${what}.`, {
          retryable: true,
        });
      }
      return make('INTERNAL', `Unexpected error (${errno ?? String(err)}) on ${what}.`);
  }
}

/** Rethrows aborts and TroveErrors as they are, anything else mapped. */
export function rethrow(err: unknown, key: string | undefined, intent: FsIntent = 'read'): never {
  if (isAbortError(err)) throw err;
  throw mapFsError(err, key, intent);
}
