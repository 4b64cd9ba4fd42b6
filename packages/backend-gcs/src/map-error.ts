import { codeForHttpStatus, errnoCode, type TroveError } from '@trove/core/backend';
import { ServiceErrors } from '@trove/object-store';

/**
 * The one place where GCS (and network, and credential) errors become TroveErrors. The SDK error
 * is kept as `cause`; credentials never appear in it (the SDK puts no token in its errors, and
 * trove never reads the key file itself).
 */

export const BACKEND = 'gcs';

/** What the failing call was about, for messages and hints. */
export interface ErrorScope {
  bucket: string;
  key?: string | undefined;
  /** The configured key file, to tell its absence from a missing local file. */
  keyFilename?: string | undefined;
  /** True when a 404 can only mean the bucket (a write, a listing: there is no object to miss). */
  bucketLevel?: boolean;
}

interface ErrorShape {
  name?: string;
  code?: number | string;
  status?: number;
  message?: string;
  reason?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: number };
  path?: string;
}

/** The HTTP status of an SDK, gaxios or trove HTTP error. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorShape;
  if (typeof e.code === 'number') return e.code;
  if (typeof e.status === 'number') return e.status;
  return e.response?.status;
}

const BUCKET_MISSING = /bucket (does not exist|not found)|no such bucket|bucket.*not exist/i;
/** How credential failures read when they come from google-auth-library (signing or token). */
const CREDENTIAL_FAILURE =
  /credential|invalid_grant|unauthorized_client|invalid_client|private.?key|client_email|DECODER routines|PEM|access token|token endpoint/i;

function credentialsHint(keyFilename: string | undefined): string {
  const source = keyFilename
    ? `the key file "${keyFilename}" (keyFilename in trove.yaml)`
    : 'Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or the metadata server)';
  return `Check ${source} and that it may use this bucket; trove never reads or prints credentials.`;
}

/** Turns an SDK, HTTP, network or local-file error into a TroveError (`backend: "gcs"`). */
export function mapGcsError(err: unknown, scope: ErrorScope): TroveError {
  const target = { backend: BACKEND, service: 'GCS', scheme: 'gs', container: scope.bucket };
  return ServiceErrors.map(err, { ...target, key: scope.key }, (e) => gcsRules(e, err, scope));
}

function gcsRules(errors: ServiceErrors, err: unknown, scope: ErrorScope): TroveError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const status = httpStatus(err);
  const message = e.message ?? String(err);
  const reason = e.reason ?? e.errors?.[0]?.reason;
  const errno = errnoCode(err);
  const detail = `${status ?? errno ?? e.name ?? 'error'}${reason ? ` ${reason}` : ''}`;

  if (scope.keyFilename !== undefined && e.path === scope.keyFilename) {
    const text = `Cannot read the key file "${scope.keyFilename}" (${errno}).`;
    return errors.make('INVALID_CONFIG', text, { hint: credentialsHint(scope.keyFilename) });
  }
  if (status === 404 && (BUCKET_MISSING.test(message) || scope.bucketLevel))
    return errors.missingContainer('bucket', detail, '"apiEndpoint:"');
  if (status === 400 && /md5|hash|checksum|crc32c/i.test(message)) return errors.otherBytes(detail);
  if (status === 401 || status === 403)
    return errors.accessDenied(detail, credentialsHint(scope.keyFilename));
  const byStatus = codeForHttpStatus(status);
  if (byStatus?.code === 'NOT_FOUND') return errors.noObject();
  if (byStatus?.code === 'PRECONDITION_FAILED') return errors.conditionFailed(detail);
  if (errors.transient(status) || fetchFailed(err))
    return errors.unavailable(detail, '"apiEndpoint:"');
  const local = errors.localFile();
  if (local) return local;
  if (status === undefined && (CREDENTIAL_FAILURE.test(message) || errno?.startsWith('ERR_OSSL'))) {
    return errors.make(
      'PERMISSION_DENIED',
      `The credentials could not be used for ${errors.where}.`,
      {
        hint: credentialsHint(scope.keyFilename),
      },
    );
  }
  return errors.unexpected(detail);
}

/** Node's fetch reports a refused connection as TypeError("fetch failed") with the errno in `cause`. */
function fetchFailed(err: unknown): boolean {
  return err instanceof TypeError && err.message === 'fetch failed';
}
