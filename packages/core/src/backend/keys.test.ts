import { describe, expect, it } from 'vitest';
import { compareKeys } from './keys.js';

const bytes = (a: string, b: string): number =>
  Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('compareKeys', () => {
  it('agrees with a byte comparison of the UTF-8 encodings', () => {
    const samples = [
      '',
      'a',
      'A',
      'a/',
      'a-b',
      'a.b',
      'a/b',
      'a0',
      'é',
      'ｆ',
      '\uffff',
      '😀',
      '😀a',
      '𝄞',
      'z',
      'a😀',
      'aｆ',
    ];
    for (const a of samples)
      for (const b of samples)
        expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(bytes(a, b));
  });

  it('differs from UTF-16 order where it must', () => {
    expect('😀' < 'ｆ').toBe(true); // UTF-16 code units
    expect(compareKeys('😀', 'ｆ')).toBeGreaterThan(0); // code points / UTF-8 bytes
  });
});
