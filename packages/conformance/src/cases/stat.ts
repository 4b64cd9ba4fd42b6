import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { expectTroveError, md5Hex } from '../helpers.js';

/** How far a backend's clock may be from ours when we check `lastModified`. */
const CLOCK_SKEW_MS = 10 * 60_000;

export function statCases(suite: CaseSuite): void {
  suite.test('stat describes a written object', async ({ backend, key }) => {
    const k = key('stat/object.bin');
    const bytes = Buffer.from('hello, stat');
    const before = Date.now();
    await backend.write(k, bytes);
    const stat = await backend.stat(k);
    expect(stat.key).toBe(k);
    expect(stat.size).toBe(bytes.length);
    expect(typeof stat.etag).toBe('string');
    expect(stat.etag.length).toBeGreaterThan(0);
    expect(stat.lastModified).toBeInstanceOf(Date);
    expect(Math.abs(stat.lastModified.getTime() - before)).toBeLessThan(CLOCK_SKEW_MS);
    if (stat.md5 !== undefined) expect(stat.md5).toBe(md5Hex(bytes));
  });

  suite.test(
    'write returns a stat equal in key, size and etag to a later stat()',
    async ({ backend, key }) => {
      const k = key('stat/returned.txt');
      const written = await backend.write(k, 'twelve bytes');
      const stat = await backend.stat(k);
      expect(written.key).toBe(k);
      expect(written.size).toBe(12);
      expect(stat.size).toBe(written.size);
      expect(stat.etag).toBe(written.etag);
      expect(written.md5 === undefined || written.md5 === md5Hex('twelve bytes')).toBe(true);
    },
  );

  suite.test('stat of a missing key is NOT_FOUND naming the key', async ({ backend, key }) => {
    const k = key('stat/missing');
    const err = await expectTroveError(() => backend.stat(k), 'NOT_FOUND');
    expect(err.key).toBe(k);
  });

  suite.test(
    'stat of a "directory" (a prefix of other keys) is NOT_FOUND',
    async ({ backend, key }) => {
      await backend.write(key('stat/dir/child'), 'x');
      await expectTroveError(() => backend.stat(key('stat/dir')), 'NOT_FOUND');
      expect(await backend.exists(key('stat/dir'))).toBe(false);
    },
  );

  suite.test(
    'exists is true for an object and false for a missing key',
    async ({ backend, key }) => {
      await backend.write(key('exists/yes'), 'y');
      expect(await backend.exists(key('exists/yes'))).toBe(true);
      expect(await backend.exists(key('exists/no'))).toBe(false);
      expect(await backend.exists(key('exists/ye'))).toBe(false);
    },
  );

  suite.test('the etag changes when the object is overwritten', async ({ backend, key }) => {
    const k = key('stat/etag');
    const first = await backend.write(k, 'version one');
    const second = await backend.write(k, 'version two!');
    expect(second.etag).not.toBe(first.etag);
    expect((await backend.stat(k)).etag).toBe(second.etag);
    expect((await backend.stat(k)).size).toBe(12);
  });
}
