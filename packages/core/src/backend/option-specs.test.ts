import { describe, expect, it } from 'vitest';
import { isTroveError } from '../errors.js';
import type { OptionSpec } from './define.js';
import { resolveOptions } from './option-specs.js';

const SPECS: Record<string, OptionSpec> = {
  bucket: { type: 'string', required: true, description: 'The bucket.' },
  size: { type: 'number', integer: true, min: 5, max: 10, default: 8, description: 'A size.' },
  mode: { type: 'string', enum: ['a', 'b'], description: 'A mode.' },
  on: { type: 'boolean', default: true, description: 'A switch.' },
};

function failure(input: Record<string, unknown>): { code: string; message: string; hint?: string } {
  try {
    resolveOptions('demo', SPECS, input);
  } catch (err) {
    if (isTroveError(err)) return { code: err.code, message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error('no error');
}

describe('resolveOptions', () => {
  it('fills defaults and keeps given values and options without a spec', () => {
    const client = {};
    expect(resolveOptions('demo', SPECS, { bucket: 'b', mode: 'a', client })).toEqual({
      bucket: 'b',
      mode: 'a',
      size: 8,
      on: true,
      client,
    });
  });

  it('refuses a missing required option, a value out of range, a fraction and a value not in enum', () => {
    expect(failure({})).toMatchObject({ code: 'INVALID_CONFIG', hint: 'The bucket.' });
    expect(failure({ bucket: 'b', size: 11 })).toMatchObject({
      code: 'INVALID_CONFIG',
      message: 'demo option "size" must be a whole number from 5 to 10, not 11.',
    });
    expect(failure({ bucket: 'b', size: 6.5 }).message).toContain('whole number');
    expect(failure({ bucket: 'b', mode: 'c' }).message).toContain('one of a, b');
    expect(failure({ bucket: 'b', on: 'yes' }).message).toContain('true or false');
  });
});
