import {
  codeForHttpStatus,
  errnoCode,
  isNetworkError,
  isTroveError,
  localFileError,
  TroveError,
  type TroveErrorCode,
} from '@trove/core/backend';

/**
 * The one place where Azure (and network) errors become TroveErrors. The SDK's `RestError` is
 * kept as `cause`, with its `request` and `response` made non-enumerable (a request URL can carry
 * a SAS signature, its headers a SharedKey signature) and the service's authentication detail
 * (which echoes the string that was signed) removed, so printing or serialising the cause shows
 * nothing about credentials.
 */

export const BACKEND = 'azure';

/** What the failing call was about, for messages and hints. */
export interface ErrorScope {
  container: string;
  key?: string | undefined;
}

interface RestErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { errorCode?: string; authenticationErrorDetail?: unknown };
}

const NOT_FOUND = new Set(['BlobNotFound', 'ResourceNotFound', 'CannotVerifyCopySource']);
const PRECONDITION = new Set([
  'BlobAlreadyExists',
  'ConditionNotMet',
  'TargetConditionNotMet',
  'SourceConditionNotMet',
  'LeaseIdMissing',
]);
const CREDENTIALS = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationProtocolMismatch',
  'InsufficientAccountPermissions',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
  'AccountIsDisabled',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
]);
const BUSY = new Set([
  'ServerBusy',
  'OperationTimedOut',
  'InternalError',
  'REQUEST_SEND_ERROR',
  'Timeout',
  'TimeoutError',
]);

const CREDENTIALS_HINT =
  'Check AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_SAS_TOKEN or the Entra ID sign-in ' +
  '(az login, managed identity) and that it may use this container; trove never prints them.';

/** The service's error code (`BlobNotFound`, `BlobAlreadyExists`, …) or the errno of an error. */
export function azureErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as RestErrorShape;
  return e.details?.errorCode ?? e.code ?? errnoCode(err) ?? e.name;
}

export function httpStatus(err: unknown): number | undefined {
  const status = (err as RestErrorShape | null)?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/** True for a service-side md5 check that failed (real Azure: Md5Mismatch; Azurite: 400 InvalidOperation). */
export function isMd5Mismatch(err: unknown): boolean {
  const code = azureErrorCode(err);
  if (code === 'Md5Mismatch' || code === 'InvalidMd5') return true;
  return (
    httpStatus(err) === 400 &&
    code === 'InvalidOperation' &&
    /md5/i.test((err as RestErrorShape).message ?? '')
  );
}

/** Turns an SDK, network or local-file error into a TroveError (`backend: "azure"`). */
export function mapAzureError(err: unknown, scope: ErrorScope): TroveError {
  if (isTroveError(err)) return err;
  scrub(err);
  const code = azureErrorCode(err) ?? 'Unknown';
  const status = httpStatus(err);
  const where =
    scope.key === undefined
      ? `azure://${scope.container}`
      : `azure://${scope.container}/${scope.key}`;
  const make = (
    c: TroveErrorCode,
    message: string,
    extra: { retryable?: boolean; hint?: string } = {},
  ) => new TroveError(c, message, { backend: BACKEND, key: scope.key, cause: err, ...extra });
  const detail = `${code}${status ? ` ${status}` : ''}`;

  if (code === 'ContainerNotFound') {
    return make(
      'NOT_FOUND',
      `The container "${scope.container}" does not exist (ContainerNotFound).`,
      {
        hint: `Create the container "${scope.container}" or fix "container:" (and "account:"/"endpoint:") in trove.yaml.`,
      },
    );
  }
  if (NOT_FOUND.has(code) || status === 404) return make('NOT_FOUND', `No object at ${where}.`);
  if (PRECONDITION.has(code) || status === 412 || (status === 409 && code === 'BlobAlreadyExists'))
    return make('PRECONDITION_FAILED', `A condition on ${where} did not hold (${detail}).`);
  if (isMd5Mismatch(err)) {
    return make('CORRUPT', `Azure received other bytes than were sent for ${where} (${code}).`, {
      retryable: true,
    });
  }
  if (CREDENTIALS.has(code) || status === 401) {
    return make('PERMISSION_DENIED', `The credentials were refused for ${where} (${code}).`, {
      hint: CREDENTIALS_HINT,
    });
  }
  if (status === 403) {
    return make('PERMISSION_DENIED', `Access denied to ${where} (${detail}).`, {
      hint: CREDENTIALS_HINT,
    });
  }
  const local = localFileError(BACKEND, err, where, scope.key);
  if (local) return local;
  if (BUSY.has(code) || isNetworkError(err) || codeForHttpStatus(status)?.code === 'UNAVAILABLE') {
    return make('UNAVAILABLE', `Azure Blob Storage is unavailable for ${where} (${detail}).`, {
      retryable: true,
      hint: 'Try again; check "account:"/"endpoint:" and the network if it persists.',
    });
  }
  return make(
    'INTERNAL',
    `Unexpected Azure error on ${where} (${detail}): ${(err as Error)?.message ?? String(err)}`,
  );
}

function scrub(err: unknown): void {
  if (typeof err !== 'object' || err === null) return;
  for (const field of ['request', 'response']) {
    const descriptor = Object.getOwnPropertyDescriptor(err, field);
    if (descriptor?.configurable && descriptor.enumerable)
      Object.defineProperty(err, field, { ...descriptor, enumerable: false });
  }
  const details = (err as RestErrorShape).details;
  if (details && typeof details === 'object' && 'authenticationErrorDetail' in details)
    delete details.authenticationErrorDetail;
}
