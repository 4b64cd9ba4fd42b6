import { TroveError } from '@trove/core';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from './output.js';

describe('exit codes', () => {
  it('CHANGED (the data under a reference changed) has an exit code of its own', () => {
    expect(EXIT.CHANGED).toBe(9);
    expect(exitCodeFor(new TroveError('CHANGED', 'changed'))).toBe(9);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });
});
