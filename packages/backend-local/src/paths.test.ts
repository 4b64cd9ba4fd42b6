import { describe, expect, it } from 'vitest';
import { compareUtf8, lockPathOf, tempPathBeside } from './paths.js';

const bytes = (a: string, b: string): number =>
  Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('compareUtf8', () => {
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
        expect(Math.sign(compareUtf8(a, b)), `${a} vs ${b}`).toBe(bytes(a, b));
  });

  it('differs from UTF-16 order where it must', () => {
    expect('😀' < 'ｆ').toBe(true); // UTF-16 code units
    expect(compareUtf8('😀', 'ｆ')).toBeGreaterThan(0); // code points / UTF-8 bytes
  });
});

describe('temp and lock names', () => {
  it('live beside the target and start with .trove-tmp', () => {
    expect(tempPathBeside('/s/a/b')).toMatch(/^\/s\/a\/\.trove-tmp-[0-9a-f]{16}$/);
    expect(lockPathOf('/s/a/b')).toBe('/s/a/.trove-tmp-lock-b');
    expect(lockPathOf(`/s/${'n'.repeat(250)}`)).toMatch(/^\/s\/\.trove-tmp-lock-md5-[0-9a-f]{32}$/);
  });
});
