import type { TroveError } from '@trove/core/backend';
import { ServiceErrors, serviceErrorCode } from '@trove/object-store';

/**
 * The one place where S3 (and network) errors become TroveErrors. The SDK error is kept as
 * `cause`, minus the fields some servers echo back from a failed signature check (access key
 * id, string to sign), so that printing the cause never shows anything about credentials.
 */

const BACKEND = 's3';

/** What the failing call was about, for messages and hints. */
export interface ErrorScope {
  bucket: string;
  key?: string | undefined;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
const PRECONDITION = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);
const CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'InvalidClientTokenId',
]);
/** Codes of transient failures: mapped UNAVAILABLE, and retried by the direct requests (http.ts). */
export const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
/** Errors from S3-compatible stores that reject the SDK's default checksums (aws-chunked, CRC32). */
const CHECKSUM_REJECTED = new Set([
  'XAmzContentSHA256Mismatch',
  'MissingContentMD5',
  'InvalidDigest',
  'NotImplemented',
]);
/** Codes of a bucket in another region: INVALID_CONFIG, or the SDK's redirect (http.ts). */
export const REGION = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);
/**
 * Fields removed from the cause: what a failed signature check echoes back. (The SDK's own
 * `$response` cannot be removed; it is non-enumerable, so console.log and JSON do not show it.)
 */
const SECRET_FIELDS = [
  'AWSAccessKeyId',
  'StringToSign',
  'StringToSignBytes',
  'SignatureProvided',
  'CanonicalRequest',
  'CanonicalRequestBytes',
];

const CREDENTIALS_HINT =
  'Check the credentials the AWS SDK finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ' +
  'web identity) and that they may use this bucket; trove never reads or prints them.';

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`, …) or Node errno of an error. */
export function s3ErrorCode(err: unknown): string | undefined {
  return serviceErrorCode(err, (e: SdkErrorShape) => e.Code);
}

export function httpStatus(err: unknown): number | undefined {
  return (err as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** Turns an SDK, network or local-file error into a TroveError (`backend: "s3"`). */
export function mapS3Error(err: unknown, scope: ErrorScope): TroveError {
  const target = { backend: BACKEND, service: 'S3', scheme: 's3', container: scope.bucket };
  return ServiceErrors.map(err, { ...target, key: scope.key }, (e) => s3Rules(e, err, scope));
}

function s3Rules(e: ServiceErrors, err: unknown, scope: ErrorScope): TroveError {
  scrub(err);
  const code = s3ErrorCode(err) ?? 'Unknown';
  const status = httpStatus(err);
  const detail = `${code}${status ? ` ${status}` : ''}`;

  if (code === 'NoSuchBucket') return e.missingContainer('bucket', code, '"endpoint:"/"region:"');
  if (code === 'InvalidBucketName') {
    return e.make('INVALID_CONFIG', `"${scope.bucket}" is not a valid bucket name (${detail}).`, {
      hint: 'S3 bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit: fix "bucket:" in trove.yaml.',
    });
  }
  if (code === 'NoSuchUpload')
    return e.make('NOT_FOUND', `The multipart upload for ${e.where} no longer exists.`);
  if (NOT_FOUND.has(code) || status === 404) return e.noObject();
  if (
    PRECONDITION.has(code) ||
    status === 412 ||
    (status === 409 && code === 'ConditionalRequestConflict')
  ) {
    return e.conditionFailed(detail);
  }
  if (code === 'BadDigest') return e.otherBytes(code);
  if (CHECKSUM_REJECTED.has(code)) {
    return e.make(
      'UNAVAILABLE',
      `The server rejected the request checksum for ${e.where} (${detail}).`,
      {
        hint: 'S3-compatible stores (MinIO, R2, Wasabi, Ceph…) often need "checksums: when_required" in trove.yaml.',
      },
    );
  }
  if (CREDENTIALS.has(code)) return e.credentialsRefused(code, CREDENTIALS_HINT);
  if (REGION.has(code) || status === 301) {
    return e.make(
      'INVALID_CONFIG',
      `The bucket "${scope.bucket}" is not reachable in this region (${detail}).`,
      { hint: 'Set "region:" in trove.yaml to the region of the bucket.' },
    );
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403)
    return e.accessDenied(detail, CREDENTIALS_HINT);
  const local = e.localFile();
  if (local) return local;
  if (THROTTLED.has(code) || e.transient(status) || (err as SdkErrorShape).$fault === 'server') {
    return e.unavailable(detail, '"endpoint:"');
  }
  return e.unexpected(detail);
}

function scrub(err: unknown): void {
  if (typeof err !== 'object' || err === null) return;
  for (const field of SECRET_FIELDS) {
    if (Object.getOwnPropertyDescriptor(err, field)?.configurable)
      delete (err as Record<string, unknown>)[field];
  }
}
