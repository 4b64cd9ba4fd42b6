/**
 * The errors every backend raises the same way, so the S3, GCS, Azure and local backends do not
 * each write their own: missing objects, failed conditions, aborted calls, partial batches, and
 * the HTTP-status and network rules the object stores share. A backend's `map-error.ts` handles
 * what is peculiar to its service and falls back on `mapHttpStatus` / `isNetworkError`.
 */
import { errnoCode, TroveError, type TroveErrorCode } from '../errors.js';

/** `NOT_FOUND` for a key (or for the key an `ifMatch` write expected to find). */
export function notFound(backend: string, key: string, what = 'No object at'): TroveError {
  return new TroveError('NOT_FOUND', `${what} ${JSON.stringify(key)}.`, { backend, key });
}

/** `PRECONDITION_FAILED`: a create-only write found the key taken, or an `ifMatch` etag is stale. */
export function preconditionFailed(
  backend: string,
  key: string,
  why: 'already exists' | 'has changed' | string = 'already exists',
): TroveError {
  return new TroveError('PRECONDITION_FAILED', `The object at ${JSON.stringify(key)} ${why}.`, {
    backend,
    key,
  });
}

/**
 * The condition check of a write, given the object's current etag (`undefined` when absent):
 * `ifNoneMatch: "*"` fails when it exists, `ifMatch` fails when it is absent (`NOT_FOUND`) or
 * has another etag. Backends whose service cannot check atomically call it under their own lock.
 */
export function checkWriteConditions(
  backend: string,
  key: string,
  currentEtag: string | undefined,
  options: { ifNoneMatch?: '*'; ifMatch?: string },
): void {
  if (options.ifNoneMatch === '*' && currentEtag !== undefined) {
    throw preconditionFailed(backend, key);
  }
  if (options.ifMatch !== undefined) {
    if (currentEtag === undefined) throw notFound(backend, key, 'No object to match at');
    if (currentEtag !== options.ifMatch) throw preconditionFailed(backend, key, 'has changed');
  }
}

/** True for the error an aborted `signal` produces; backends pass those through as they are. */
export function isAbortError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || errnoCode(err) === 'ABORT_ERR';
}

/** One failed item of a `writeMany` call. */
export interface ItemFailure {
  key: string;
  error: TroveError;
}

/**
 * The error a `writeMany` throws after trying every item: "N of M files could not be stored",
 * with the first failure (of `failed`)'s code, key, hint and retryability, and the first failure as `cause`.
 */
export function writeManyFailure(
  backend: string,
  first: ItemFailure,
  failed: number,
  count: number,
  result: { written: number; skipped: number },
): TroveError {
  const summary =
    `${failed} of ${count} files could not be stored ` +
    `(${result.written} written, ${result.skipped} already there)`;
  return new TroveError(first.error.code, `${summary}; first: ${first.error.message}`, {
    backend,
    key: first.key,
    retryable: first.error.retryable,
    hint: first.error.hint,
    cause: first.error,
  });
}

/** Node and undici error codes of a connection that failed or broke: always worth a retry. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  // A response body whose connection closed before its end.
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** True for a refused, reset or timed-out connection (by errno or undici code). */
export function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = errnoCode(e);
    if (code !== undefined && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The trove code for an HTTP status from an object store: 404 → `NOT_FOUND`, 412 →
 * `PRECONDITION_FAILED`, 401/403 → `PERMISSION_DENIED`, 408/429/5xx → `UNAVAILABLE` (retryable);
 * anything else `undefined` (the backend decides).
 */
export function codeForHttpStatus(
  status: number | undefined,
): { code: TroveErrorCode; retryable: boolean } | undefined {
  if (status === undefined) return undefined;
  if (status === 404) return { code: 'NOT_FOUND', retryable: false };
  if (status === 412) return { code: 'PRECONDITION_FAILED', retryable: false };
  if (status === 401 || status === 403) return { code: 'PERMISSION_DENIED', retryable: false };
  if (status === 408 || status === 429 || status >= 500) {
    return { code: 'UNAVAILABLE', retryable: true };
  }
  return undefined;
}

/**
 * The error for a local file a write could not read (`{ path }` bodies, `writeMany`): `NOT_FOUND`
 * when it is missing or a folder, `PERMISSION_DENIED` when it may not be read; `undefined` for
 * any other error. `where` names the object it was for.
 */
export function localFileError(
  backend: string,
  err: unknown,
  where: string,
  key: string | undefined,
): TroveError | undefined {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'EISDIR') {
    const message = `Cannot read the local file for ${where} (${code}).`;
    return new TroveError('NOT_FOUND', message, { backend, key, cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    const message = `Permission denied (${code}) reading the local file for ${where}.`;
    return new TroveError('PERMISSION_DENIED', message, { backend, key, cause: err });
  }
  return undefined;
}
