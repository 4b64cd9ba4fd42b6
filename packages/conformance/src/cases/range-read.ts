import { expect } from 'vitest';
import { type CaseSuite, whenCapable } from '../context.js';
import { collect, readBytes } from '../helpers.js';

export function rangeReadCases(suite: CaseSuite): void {
  whenCapable(suite, 'rangeRead', undefined, () => {
    const bytes = Buffer.from('0123456789abcdefghij'); // 20 bytes
    const cases: [string, { start: number; end?: number }, string][] = [
      ['start only', { start: 5 }, '56789abcdefghij'],
      ['start and end (end exclusive)', { start: 2, end: 6 }, '2345'],
      ['from 0 to 1', { start: 0, end: 1 }, '0'],
      ['end past the end of the object', { start: 15, end: 100 }, 'fghij'],
      ['the last byte', { start: 19 }, 'j'],
      ['start at the end (empty)', { start: 20 }, ''],
      ['start past the end (empty)', { start: 50 }, ''],
      ['an empty range', { start: 4, end: 4 }, ''],
    ];
    suite.test(
      'range reads return the requested bytes; stat describes the whole object',
      async ({ backend, key }) => {
        const k = key('range/obj');
        const written = await backend.write(k, bytes);
        for (const [name, range, expected] of cases) {
          const { stat, body } = await backend.read(k, { range });
          expect((await collect(body)).toString(), name).toBe(expected);
          expect(stat.size, name).toBe(20);
          expect(stat.etag, name).toBe(written.etag);
        }
      },
    );

    suite.test(
      'a range read of a large object returns exactly that slice',
      async ({ backend, key }) => {
        const k = key('range/large');
        const large = Buffer.alloc(3 * 1024 * 1024);
        for (let i = 0; i < large.length; i += 4) large.writeUInt32BE(i, i);
        await backend.write(k, large);
        const start = 1024 * 1024 - 3;
        const end = 2 * 1024 * 1024 + 5;
        const { body } = await backend.read(k, { range: { start, end } });
        expect((await collect(body)).equals(large.subarray(start, end))).toBe(true);
        expect((await readBytes(backend, k)).length).toBe(large.length);
      },
    );

    suite.test('a range read of a 0-byte object is empty', async ({ backend, key }) => {
      const k = key('range/empty');
      await backend.write(k, '');
      const { stat, body } = await backend.read(k, { range: { start: 0 } });
      expect(stat.size).toBe(0);
      expect((await collect(body)).length).toBe(0);
    });
  });
}
