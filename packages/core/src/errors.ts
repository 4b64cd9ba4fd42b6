/**
 * One error class for all of trove. Code that handles errors switches on `code`, never on the
 * message. Recognised with `isTroveError()` (a `Symbol.for` marker), so it works across copies of
 * `@trove/core` loaded by different packages, where `instanceof` would not.
 */

export type TroveErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PRECONDITION_FAILED'
  | 'INVALID_KEY'
  | 'INVALID_ARGUMENT'
  | 'INVALID_ARTIFACT'
  | 'INVALID_NAME'
  | 'INVALID_PATH'
  | 'INVALID_STEP'
  | 'INVALID_CONFIG'
  | 'UNKNOWN_STORE'
  | 'BACKEND_NOT_INSTALLED'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
  | 'CORRUPT'
  | 'RUN_ENDED'
  | 'AMBIGUOUS'
  | 'CONFLICT'
  /** The data under a reference is not what was recorded (its md5, ETag or generation). */
  | 'CHANGED'
  | 'INTERNAL';

const MARKER = Symbol.for('trove.error');

export interface TroveErrorOptions {
  /** The backend kind involved ("local", "s3", …), when there is one. */
  backend?: string;
  /** The store key or local path involved. */
  key?: string;
  /** True when the same call may succeed if tried again (throttling, 5xx, timeouts). */
  retryable?: boolean;
  /** What to do about it, shown after the message by the CLI. */
  hint?: string;
  cause?: unknown;
}

export class TroveError extends Error {
  readonly [MARKER] = true;
  readonly code: TroveErrorCode;
  readonly backend: string | undefined;
  readonly key: string | undefined;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(code: TroveErrorCode, message: string, options: TroveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TroveError';
    this.code = code;
    this.backend = options.backend;
    this.key = options.key;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

/** True for any TroveError, whichever copy of `@trove/core` made it. */
export function isTroveError(value: unknown, code?: TroveErrorCode): value is TroveError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[MARKER] === true &&
    (code === undefined || (value as TroveError).code === code)
  );
}

/** Node's `err.code` for a failed system call, if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}
