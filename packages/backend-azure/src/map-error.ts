import type { TroveError } from '@trove/core/backend';
import { ServiceErrors, serviceErrorCode } from '@trove/object-store';

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
  return serviceErrorCode(err, (e: RestErrorShape) => e.details?.errorCode ?? e.code);
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
  const service = { service: 'Azure', fullName: 'Azure Blob Storage', scheme: 'azure' };
  const target = { backend: BACKEND, ...service, container: scope.container, key: scope.key };
  return ServiceErrors.map(err, target, (e) => azureRules(e, err));
}

function azureRules(e: ServiceErrors, err: unknown): TroveError {
  scrub(err);
  const code = azureErrorCode(err) ?? 'Unknown';
  const status = httpStatus(err);
  const detail = `${code}${status ? ` ${status}` : ''}`;

  if (code === 'ContainerNotFound')
    return e.missingContainer('container', code, '"account:"/"endpoint:"');
  if (NOT_FOUND.has(code) || status === 404) return e.noObject();
  if (PRECONDITION.has(code) || status === 412 || (status === 409 && code === 'BlobAlreadyExists'))
    return e.conditionFailed(detail);
  if (isMd5Mismatch(err)) return e.otherBytes(code);
  if (CREDENTIALS.has(code) || status === 401) return e.credentialsRefused(code, CREDENTIALS_HINT);
  if (status === 403) return e.accessDenied(detail, CREDENTIALS_HINT);
  const local = e.localFile();
  if (local) return local;
  if (BUSY.has(code) || e.transient(status)) return e.unavailable(detail, '"account:"/"endpoint:"');
  return e.unexpected(detail);
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
