import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { isTroveError } from '@trove/core/backend';
import { describe, expect, it } from 'vitest';
import { mapS3Error } from './map-error.js';

const scope = { bucket: 'artifacts', key: 'files/md5/ab/cdef' };

/** A service error as the SDK builds it from a response (the SDK's own class, not a mock). */
function serviceError(
  name: string,
  status: number,
  extra: Record<string, unknown> = {},
): S3ServiceException {
  return Object.assign(
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
    }),
    { Code: name },
    extra,
  );
}

describe('mapS3Error', () => {
  it.each([
    ['NoSuchKey', 404, 'NOT_FOUND', false],
    ['NotFound', 404, 'NOT_FOUND', false],
    ['PreconditionFailed', 412, 'PRECONDITION_FAILED', false],
    ['ConditionalRequestConflict', 409, 'PRECONDITION_FAILED', false],
    ['AccessDenied', 403, 'PERMISSION_DENIED', false],
    ['InvalidAccessKeyId', 403, 'PERMISSION_DENIED', false],
    ['SignatureDoesNotMatch', 403, 'PERMISSION_DENIED', false],
    ['SlowDown', 503, 'UNAVAILABLE', true],
    ['InternalError', 500, 'UNAVAILABLE', true],
    ['ServiceUnavailable', 503, 'UNAVAILABLE', true],
    ['Throttling', 400, 'UNAVAILABLE', true],
    ['BadDigest', 400, 'CORRUPT', true],
    ['PermanentRedirect', 301, 'INVALID_CONFIG', false],
    ['InvalidBucketName', 400, 'INVALID_CONFIG', false],
  ] as const)('%s (%i) is %s', (name, status, code, retryable) => {
    const sdk = serviceError(name, status);
    const err = mapS3Error(sdk, scope);
    expect(isTroveError(err, code)).toBe(true);
    expect(err.retryable).toBe(retryable);
    expect(err.backend).toBe('s3');
    expect(err.key).toBe(scope.key);
    expect(err.cause).toBe(sdk);
  });

  it('the SDK classes map too, and NoSuchBucket names the bucket', () => {
    const missingKey = new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } });
    expect(mapS3Error(missingKey, scope).code).toBe('NOT_FOUND');
    const missingBucket = new NoSuchBucket({
      message: 'no bucket',
      $metadata: { httpStatusCode: 404 },
    });
    const err = mapS3Error(missingBucket, scope);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('"artifacts"');
    expect(err.hint).toContain('artifacts');
  });

  it('stores that reject the SDK checksums get a hint about `checksums: when_required`', () => {
    for (const name of ['XAmzContentSHA256Mismatch', 'MissingContentMD5']) {
      expect(mapS3Error(serviceError(name, 400), scope).hint).toContain('when_required');
    }
  });

  it('network failures are UNAVAILABLE and retryable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) {
      const err = mapS3Error(Object.assign(new Error(`connect ${code}`), { code }), scope);
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.retryable).toBe(true);
    }
  });

  it('drops what a failed signature check echoes back from the cause', () => {
    const sdk = serviceError('SignatureDoesNotMatch', 403, {
      AWSAccessKeyId: 'AKIAEXAMPLE',
      StringToSign: 'AWS4…',
    });
    const err = mapS3Error(sdk, scope);
    expect(JSON.stringify(err.cause)).not.toContain('AKIAEXAMPLE');
    expect(err.hint).toMatch(/never reads or prints them/);
  });

  it('passes TroveErrors through unchanged', () => {
    const first = mapS3Error(serviceError('NoSuchKey', 404), scope);
    expect(mapS3Error(first, scope)).toBe(first);
  });
});
