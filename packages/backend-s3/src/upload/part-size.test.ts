import { describe, expect, it } from 'vitest';
import {
  MAX_OBJECT_SIZE,
  MAX_PART_SIZE,
  MAX_PARTS,
  MIB,
  MIN_PART_SIZE,
  partCount,
  partSizeFor,
  streamPartSize,
} from './part-size.js';

const GB = 1e9;

describe('partSizeFor', () => {
  it('keeps the configured size while it gives at most 9,000 parts', () => {
    expect(partSizeFor(0, 8 * MIB)).toBe(8 * MIB);
    expect(partSizeFor(200 * MIB, 8 * MIB)).toBe(8 * MIB);
    expect(partSizeFor(50 * GB, 8 * MIB)).toBe(8 * MIB);
    expect(partCount(50 * GB, partSizeFor(50 * GB, 8 * MIB))).toBe(5961);
  });

  it('grows with the object, in whole MiB, so a 50 GB file with 5 MiB parts stays under 10,000 parts', () => {
    const size = partSizeFor(50 * GB, MIN_PART_SIZE);
    expect(size % MIB).toBe(0);
    expect(size).toBe(6 * MIB);
    expect(partCount(50 * GB, size)).toBeLessThanOrEqual(9_000);
    expect(partSizeFor(800 * GB, 8 * MIB)).toBe(85 * MIB);
    expect(partCount(800 * GB, 85 * MIB)).toBe(8_976);
  });

  it('never exceeds 10,000 parts nor 5 GiB per part, for any size S3 accepts', () => {
    const sizes = [
      1,
      MIB,
      5 * GB,
      50 * GB,
      78 * 1024 ** 3 + 1,
      1e12,
      5 * 1024 ** 4,
      48e12,
      MAX_OBJECT_SIZE,
    ];
    for (let i = 0; i < 2000; i++) sizes.push(Math.floor(Math.random() * MAX_OBJECT_SIZE));
    for (const size of sizes) {
      for (const minimum of [MIN_PART_SIZE, 8 * MIB, 64 * MIB]) {
        const part = partSizeFor(size, minimum);
        expect(part).toBeGreaterThanOrEqual(MIN_PART_SIZE);
        expect(part).toBeLessThanOrEqual(MAX_PART_SIZE);
        expect(partCount(size, part), `${size} with ${minimum}`).toBeLessThanOrEqual(MAX_PARTS);
      }
    }
  });

  it('rejects sizes no S3 object can have', () => {
    expect(() => partSizeFor(MAX_OBJECT_SIZE + 1, MIN_PART_SIZE)).toThrow(RangeError);
    expect(() => partSizeFor(-1, MIN_PART_SIZE)).toThrow(RangeError);
  });
});

describe('streamPartSize (length unknown)', () => {
  it('doubles every 1,000 parts, so 10,000 parts hold terabytes', () => {
    expect(streamPartSize(1, 8 * MIB)).toBe(8 * MIB);
    expect(streamPartSize(1000, 8 * MIB)).toBe(8 * MIB);
    expect(streamPartSize(1001, 8 * MIB)).toBe(16 * MIB);
    let total = 0;
    for (let n = 1; n <= MAX_PARTS; n++) total += streamPartSize(n, 8 * MIB);
    expect(total).toBeGreaterThan(5 * 1024 ** 4);
    expect(streamPartSize(MAX_PARTS, 8 * MIB)).toBeLessThanOrEqual(MAX_PART_SIZE);
  });
});
