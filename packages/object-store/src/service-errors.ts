/**
 * What every object store's `map-error.ts` says the same way: a TroveError for the object (or
 * bucket) a call was about, with the service error as `cause`, worded alike on S3, GCS and Azure
 * (no object, a condition that did not hold, other bytes received, access denied, unavailable,
 * unexpected). A backend's `map-error.ts` decides which applies, from its service's own codes.
 */
import {
  codeForHttpStatus,
  errnoCode,
  isNetworkError,
  isTroveError,
  localFileError,
  TroveError,
  type TroveErrorCode,
} from '@trove/core/backend';

/** Where a failing call went: `<scheme>://<container>[/<key>]`. */
export interface ServiceTarget {
  /** The backend kind (`s3`, `gcs`, `azure`). */
  backend: string;
  /** The service as messages name it (`S3`, `GCS`, `Azure`). */
  service: string;
  /** Its full name, where a message says it is unavailable (default `service`). */
  fullName?: string;
  /** The URL scheme of its objects (`s3`, `gs`, `azure`). */
  scheme: string;
  /** Bucket or container. */
  container: string;
  key?: string | undefined;
}

type Extra = { retryable?: boolean; hint?: string };

/** An error's code: the service's own (`own`), else its errno, else its name. */
export function serviceErrorCode<E extends { name?: string }>(
  err: unknown,
  own: (e: E) => string | undefined,
): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return own(err as E) ?? errnoCode(err) ?? (err as E).name;
}

/** The errors of one failed call (`err`) on `target`, worded as every object store words them. */
export class ServiceErrors {
  readonly where: string;
  readonly #target: ServiceTarget;
  readonly #err: unknown;

  /** `err` as a TroveError: a TroveError as it is, any other by `map` (the backend's rules). */
  static map(
    err: unknown,
    target: ServiceTarget,
    map: (errors: ServiceErrors) => TroveError,
  ): TroveError {
    return isTroveError(err) ? err : map(new ServiceErrors(target, err));
  }

  constructor(target: ServiceTarget, err: unknown) {
    this.#target = target;
    this.#err = err;
    const { scheme, container, key } = target;
    this.where = key === undefined ? `${scheme}://${container}` : `${scheme}://${container}/${key}`;
  }

  /** A TroveError of `code` for the target, with the service error as `cause`. */
  make(code: TroveErrorCode, message: string, extra: Extra = {}): TroveError {
    const { backend, key } = this.#target;
    return new TroveError(code, message, { backend, key, cause: this.#err, ...extra });
  }

  /** `NOT_FOUND` for a missing bucket or container, with the fix in trove.yaml as the hint. */
  missingContainer(what: 'bucket' | 'container', detail: string, settings: string): TroveError {
    const name = this.#target.container;
    return this.make('NOT_FOUND', `The ${what} "${name}" does not exist (${detail}).`, {
      hint: `Create the ${what} "${name}" or fix "${what}:" (and ${settings}) in trove.yaml.`,
    });
  }

  noObject(): TroveError {
    return this.make('NOT_FOUND', `No object at ${this.where}.`);
  }

  conditionFailed(detail: string): TroveError {
    return this.make(
      'PRECONDITION_FAILED',
      `A condition on ${this.where} did not hold (${detail}).`,
    );
  }

  /** `CORRUPT` (retryable): the service checked the md5 of what it received. */
  otherBytes(detail: string): TroveError {
    const message = `${this.#target.service} received other bytes than were sent for ${this.where} (${detail}).`;
    return this.make('CORRUPT', message, { retryable: true });
  }

  accessDenied(detail: string, hint: string): TroveError {
    return this.make('PERMISSION_DENIED', `Access denied to ${this.where} (${detail}).`, { hint });
  }

  credentialsRefused(code: string, hint: string): TroveError {
    const message = `The credentials were refused for ${this.where} (${code}).`;
    return this.make('PERMISSION_DENIED', message, { hint });
  }

  /** The error for a local file the write could not read, or undefined for any other. */
  localFile(): TroveError | undefined {
    return localFileError(this.#target.backend, this.#err, this.where, this.#target.key);
  }

  /** A broken or refused connection, or an HTTP status worth trying again (408, 429, 5xx). */
  transient(status: number | undefined): boolean {
    return isNetworkError(this.#err) || codeForHttpStatus(status)?.code === 'UNAVAILABLE';
  }

  /** `UNAVAILABLE` (retryable): try again; `settings` name where the service is configured. */
  unavailable(detail: string, settings: string): TroveError {
    const name = this.#target.fullName ?? this.#target.service;
    return this.make('UNAVAILABLE', `${name} is unavailable for ${this.where} (${detail}).`, {
      retryable: true,
      hint: `Try again; check ${settings} and the network if it persists.`,
    });
  }

  /** `INTERNAL`: nothing the mapping knows, with the service's own message. */
  unexpected(detail: string): TroveError {
    const text = (this.#err as Error)?.message ?? String(this.#err);
    const name = this.#target.service;
    return this.make('INTERNAL', `Unexpected ${name} error on ${this.where} (${detail}): ${text}`);
  }
}
