import { RestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { isMd5Mismatch, mapAzureError } from './map-error.js';

const scope = { container: 'box', key: 'a/b' };

function restError(statusCode: number, code: string, message = code): RestError {
  const err = new RestError(message, { code, statusCode });
  Object.assign(err, { details: { errorCode: code, authenticationErrorDetail: 'signed: xyz' } });
  return err;
}

describe('mapAzureError', () => {
  it('maps service codes to trove codes', () => {
    const cases: [number, string, string][] = [
      [404, 'BlobNotFound', 'NOT_FOUND'],
      [404, 'ContainerNotFound', 'NOT_FOUND'],
      [409, 'BlobAlreadyExists', 'PRECONDITION_FAILED'],
      [412, 'ConditionNotMet', 'PRECONDITION_FAILED'],
      [400, 'Md5Mismatch', 'CORRUPT'],
      [403, 'AuthenticationFailed', 'PERMISSION_DENIED'],
      [403, 'AuthorizationPermissionMismatch', 'PERMISSION_DENIED'],
      [503, 'ServerBusy', 'UNAVAILABLE'],
      [500, 'InternalError', 'UNAVAILABLE'],
      [400, 'InvalidHeaderValue', 'INTERNAL'],
    ];
    for (const [status, code, expected] of cases) {
      const mapped = mapAzureError(restError(status, code), scope);
      expect(mapped.code, code).toBe(expected);
      expect(mapped.backend).toBe('azure');
      expect(mapped.key).toBe('a/b');
    }
  });

  it("Azurite's 400 InvalidOperation for a wrong Content-MD5 is CORRUPT; other InvalidOperations are not", () => {
    const azurite = restError(400, 'InvalidOperation', "Provided contentMD5 doesn't match.");
    expect(isMd5Mismatch(azurite)).toBe(true);
    expect(mapAzureError(azurite, scope).code).toBe('CORRUPT');
    expect(mapAzureError(restError(400, 'InvalidOperation', 'Other.'), scope).code).toBe(
      'INTERNAL',
    );
  });

  it('a missing container names it and says how to fix it', () => {
    const mapped = mapAzureError(restError(404, 'ContainerNotFound'), scope);
    expect(mapped.message).toContain('"box"');
    expect(mapped.hint).toContain('container:');
  });

  it('refused connections and send errors are UNAVAILABLE and retryable', () => {
    const refused = new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' });
    const mapped = mapAzureError(refused, scope);
    expect(mapped.code).toBe('UNAVAILABLE');
    expect(mapped.retryable).toBe(true);
  });

  it('keeps the SDK error as cause without its request, response or signed-string detail', () => {
    const err = restError(403, 'AuthenticationFailed');
    Object.assign(err, { request: { url: 'https://x/?sig=SECRET' }, response: { headers: {} } });
    const mapped = mapAzureError(err, scope);
    expect(mapped.cause).toBe(err);
    const shown = JSON.stringify(mapped.cause);
    expect(shown).not.toContain('SECRET');
    expect(shown).not.toContain('signed: xyz');
    expect(shown).toContain('AuthenticationFailed');
  });
});
