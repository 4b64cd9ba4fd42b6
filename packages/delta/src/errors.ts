/**
 * The package's one error. It carries the same `Symbol.for('trove.error')` marker as
 * `@trove/core`'s `TroveError`, so core's `isTroveError()` and the CLI's error printer treat it as
 * theirs without this package depending on core (core depends on this package).
 */

export type DeltaErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CORRUPT'
  | 'UNSUPPORTED';

const MARKER = Symbol.for('trove.error');

export interface DeltaErrorOptions {
  /** The store key involved, when there is one. */
  key?: string;
  retryable?: boolean;
  hint?: string;
  cause?: unknown;
}

export class DeltaError extends Error {
  readonly [MARKER] = true;
  readonly code: DeltaErrorCode;
  readonly key: string | undefined;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(code: DeltaErrorCode, message: string, options: DeltaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeltaError';
    this.code = code;
    this.key = options.key;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

/** The `code` property of an error from the storage (or anything else), if it has one. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}
