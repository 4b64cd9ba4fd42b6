import { describe, expect, it } from 'vitest';
import { lockPathOf, tempPathBeside } from './paths.js';

describe('temp and lock names', () => {
  it('live beside the target and start with .trove-tmp', () => {
    expect(tempPathBeside('/s/a/b')).toMatch(/^\/s\/a\/\.trove-tmp-[0-9a-f]{16}$/);
    expect(lockPathOf('/s/a/b')).toBe('/s/a/.trove-tmp-lock-b');
    expect(lockPathOf(`/s/${'n'.repeat(250)}`)).toMatch(/^\/s\/\.trove-tmp-lock-md5-[0-9a-f]{32}$/);
  });
});
