import { isTroveError } from '@trove/core/backend';
import { describe, expect, it } from 'vitest';
import { mapFsError, rethrow } from './map-error.js';

const fsError = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: boom`), { code });

describe('mapFsError', () => {
  it.each([
    ['ENOENT', 'read', 'NOT_FOUND', false],
    ['ENOENT', 'write', 'NOT_FOUND', false],
    ['ENOTDIR', 'read', 'NOT_FOUND', false],
    ['EISDIR', 'read', 'NOT_FOUND', false],
    ['ENOTDIR', 'write', 'ALREADY_EXISTS', false],
    ['EISDIR', 'write', 'ALREADY_EXISTS', false],
    ['ENOTEMPTY', 'write', 'ALREADY_EXISTS', false],
    ['EACCES', 'write', 'PERMISSION_DENIED', false],
    ['EPERM', 'read', 'PERMISSION_DENIED', false],
    ['EROFS', 'write', 'PERMISSION_DENIED', false],
    ['ENOSPC', 'write', 'UNAVAILABLE', true],
    ['EDQUOT', 'write', 'UNAVAILABLE', true],
    ['EIO', 'read', 'UNAVAILABLE', true],
    ['EMFILE', 'read', 'UNAVAILABLE', true],
    ['ENFILE', 'read', 'UNAVAILABLE', true],
    ['EBUSY', 'write', 'UNAVAILABLE', true],
    ['ENAMETOOLONG', 'write', 'INVALID_KEY', false],
    ['EWHATEVER', 'read', 'INTERNAL', false],
  ] as const)('%s (%s) → %s', (errno, intent, code, retryable) => {
    const original = fsError(errno);
    const err = mapFsError(original, 'a/b', intent);
    expect(isTroveError(err, code)).toBe(true);
    expect(err.retryable).toBe(retryable);
    expect(err.backend).toBe('local');
    expect(err.key).toBe('a/b');
    expect(err.cause).toBe(original);
  });

  it('returns a TroveError as it is', () => {
    const first = mapFsError(fsError('ENOENT'), 'k');
    expect(mapFsError(first, 'other')).toBe(first);
  });

  it('rethrow passes an abort through unchanged', () => {
    const controller = new AbortController();
    controller.abort();
    let caught: unknown;
    try {
      rethrow(controller.signal.reason, 'k');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(controller.signal.reason);
    expect(isTroveError(caught)).toBe(false);
  });
});
