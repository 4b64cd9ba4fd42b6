import { errnoCode, isTroveError, TroveError } from './errors.js';

/** Turns a failed local file operation on a user's path into one TroveError. */
export function mapFsError(err: unknown, path: string): TroveError {
  if (isTroveError(err)) return err;
  const code = errnoCode(err);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new TroveError('NOT_FOUND', `No such file or directory: ${path}`, {
        key: path,
        cause: err,
      });
    case 'EACCES':
    case 'EPERM':
      return permissionDenied(path, err);
    case 'ELOOP':
      return new TroveError('INVALID_ARTIFACT', `Symbolic link loop at ${path}`, {
        key: path,
        cause: err,
      });
    case 'EINVAL':
    case 'EISDIR':
      return new TroveError('INVALID_ARTIFACT', `Not a regular file: ${path}`, {
        key: path,
        cause: err,
      });
    case 'EMFILE':
    case 'ENFILE':
    case 'EIO':
    case 'ENOSPC':
    case 'EAGAIN':
      return new TroveError('UNAVAILABLE', `I/O error (${code}) on ${path}`, {
        key: path,
        cause: err,
        retryable: true,
      });
    default:
      return new TroveError('INTERNAL', `Unexpected error (${code ?? 'unknown'}) on ${path}`, {
        key: path,
        cause: err,
      });
  }
}

/** A local file this process may not read. */
export function permissionDenied(path: string, cause?: unknown): TroveError {
  return new TroveError('PERMISSION_DENIED', `Permission denied reading ${path}`, {
    key: path,
    cause,
    hint: 'Check the file mode and owner.',
  });
}
