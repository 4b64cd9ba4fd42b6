import { describe, expect, it } from 'vitest';
import { blockSizeFor, MAX_BLOCKS, MIB, resolveOptions } from './options.js';

describe('blockSizeFor', () => {
  it('keeps the minimum until 50,000 blocks would not do, then grows in whole MiB', () => {
    expect(blockSizeFor(0, 8 * MIB)).toBe(8 * MIB);
    expect(blockSizeFor(8 * MIB * MAX_BLOCKS, 8 * MIB)).toBe(8 * MIB);
    const size = 8 * MIB * MAX_BLOCKS + 1;
    const grown = blockSizeFor(size, 8 * MIB);
    expect(grown).toBe(9 * MIB);
    expect(Math.ceil(size / grown)).toBeLessThanOrEqual(MAX_BLOCKS);
  });
});

describe('resolveOptions', () => {
  it('fills the defaults', () => {
    const resolved = resolveOptions({ container: 'ml-artifacts' });
    expect(resolved).toMatchObject({
      container: 'ml-artifacts',
      blockSize: 8 * MIB,
      concurrency: 8,
      objectConcurrency: 32,
      maxAttempts: 5,
      resume: true,
    });
    expect(resolved.resumeDir).toMatch(/trove-azure-uploads$/);
  });
});
