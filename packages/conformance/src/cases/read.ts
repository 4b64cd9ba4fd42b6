import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { collect, expectTroveError, md5Hex, randomBytes } from '../helpers.js';

export function readCases(suite: CaseSuite): void {
  suite.test('read returns the bytes written', async ({ backend, key }) => {
    const k = key('read/bytes.bin');
    const bytes = randomBytes(100_000);
    await backend.write(k, bytes);
    const { body } = await backend.read(k);
    const got = await collect(body);
    expect(got.length).toBe(bytes.length);
    expect(md5Hex(got)).toBe(md5Hex(bytes));
  });

  suite.test('read().stat agrees with stat() (key, size, etag)', async ({ backend, key }) => {
    const k = key('read/stat.txt');
    await backend.write(k, 'read my stat');
    const stat = await backend.stat(k);
    const result = await backend.read(k);
    await collect(result.body);
    expect(result.stat.key).toBe(k);
    expect(result.stat.size).toBe(stat.size);
    expect(result.stat.size).toBe(12);
    expect(result.stat.etag).toBe(stat.etag);
  });

  suite.test('read of a missing key is NOT_FOUND naming the key', async ({ backend, key }) => {
    const k = key('read/missing');
    const err = await expectTroveError(() => backend.read(k), 'NOT_FOUND');
    expect(err.key).toBe(k);
  });

  suite.test(
    'read of a "directory" (a prefix of other keys) is NOT_FOUND',
    async ({ backend, key }) => {
      await backend.write(key('read/dir/child'), 'x');
      await expectTroveError(() => backend.read(key('read/dir')), 'NOT_FOUND');
    },
  );

  suite.test('read of a 0-byte object yields no bytes', async ({ backend, key }) => {
    const k = key('read/empty');
    await backend.write(k, new Uint8Array(0));
    const { stat, body } = await backend.read(k);
    expect(stat.size).toBe(0);
    expect((await collect(body)).length).toBe(0);
  });

  suite.test('two reads of one object can be consumed concurrently', async ({ backend, key }) => {
    const k = key('read/twice.bin');
    const bytes = randomBytes(300_000);
    await backend.write(k, bytes);
    const [a, b] = await Promise.all([backend.read(k), backend.read(k)]);
    const [ga, gb] = await Promise.all([collect(a.body), collect(b.body)]);
    expect(md5Hex(ga)).toBe(md5Hex(bytes));
    expect(md5Hex(gb)).toBe(md5Hex(bytes));
  });
}
