import { compareKeys } from '@trove/core/backend';
import { expect } from 'vitest';
import { type CaseSuite, SUITE_CONCURRENCY } from '../context.js';
import { listAll, listKeys, mapLimit } from '../helpers.js';

const MANY = 1_100;

/** Names whose UTF-8 byte order differs from naive per-segment or UTF-16 order. */
const ORDER_NAMES = ['😀', 'ｆ', 'é', '~', 'ab/c', 'a0', 'a/b', 'a.b', 'a-b', 'a b', 'A'];
const ORDER_SORTED = ['A', 'a b', 'a-b', 'a.b', 'a/b', 'a0', 'ab/c', '~', 'é', 'ｆ', '😀'];

const ISOLATION_NAMES = ['foo.txt', 'foo/a', 'foo/b/c', 'foobar/x', 'fo', 'fop', 'f', 'other/foo'];

export function listCases(suite: CaseSuite): void {
  suite.test('lists nothing under a prefix with no objects', async ({ backend, key }) => {
    expect(await listAll(backend, key('nothing/'))).toEqual([]);
    expect(await listAll(backend, key('nothing'))).toEqual([]);
  });

  suite.test(
    `lists ${MANY} keys in ascending byte order, each once, with sizes and etags`,
    async ({ backend, key }) => {
      const keys = Array.from({ length: MANY }, (_, i) =>
        key(`many/${String(i).padStart(5, '0')}`),
      );
      const shuffled = [...keys].sort(() => Math.random() - 0.5);
      await mapLimit(shuffled, SUITE_CONCURRENCY, (k) => backend.write(k, k.slice(-5)));
      const entries = await listAll(backend, key('many/'));
      expect(entries.map((e) => e.key)).toEqual(keys);
      expect(entries.every((e) => e.size === 5)).toBe(true);
      for (const i of [0, 999, 1000, MANY - 1]) {
        const entry = entries[i];
        const stat = await backend.stat(keys[i] as string);
        expect(entry?.etag).toBe(stat.etag);
        expect(entry?.lastModified).toBeInstanceOf(Date);
      }
      // startAfter across the 1,000 boundary, on a key that is and one that is not present.
      expect(await listKeys(backend, key('many/'), keys[999])).toEqual(keys.slice(1000));
      expect(await listKeys(backend, key('many/'), key('many/00999x'))).toEqual(keys.slice(1000));
      expect(await listKeys(backend, key('many/'), keys[MANY - 1])).toEqual([]);
      expect(await listKeys(backend, key('many/'), key(''))).toEqual(keys);
    },
    { slow: true },
  );

  suite.test(
    'orders keys by UTF-8 bytes, not by path segment or UTF-16',
    async ({ backend, key }) => {
      await mapLimit(ORDER_NAMES, SUITE_CONCURRENCY, (n) => backend.write(key(`order/${n}`), n));
      const expected = ORDER_SORTED.map((n) => key(`order/${n}`));
      expect([...expected].sort(compareKeys)).toEqual(expected);
      expect(await listKeys(backend, key('order/'))).toEqual(expected);
    },
  );

  suite.test('startAfter skips every key up to and including it', async ({ backend, key }) => {
    await mapLimit(ORDER_NAMES, SUITE_CONCURRENCY, (n) => backend.write(key(`order/${n}`), n));
    const all = ORDER_SORTED.map((n) => key(`order/${n}`));
    const after = (name: string): Promise<string[]> =>
      listKeys(backend, key('order/'), key(`order/${name}`));
    expect(await after('a.b')).toEqual(all.slice(4));
    expect(await after('a/')).toEqual(all.slice(4));
    expect(await after('a/b')).toEqual(all.slice(5));
    expect(await after('a/c')).toEqual(all.slice(5));
    expect(await after('ab')).toEqual(all.slice(6));
    expect(await after('😀')).toEqual([]);
    expect(await listKeys(backend, key('order/'), 'conformance/')).toEqual(all);
  });

  suite.test(
    'a prefix is a plain string prefix (foo vs foo/ vs foobar/)',
    async ({ backend, key }) => {
      await mapLimit(ISOLATION_NAMES, SUITE_CONCURRENCY, (n) => backend.write(key(`iso/${n}`), n));
      const names = async (prefix: string): Promise<string[]> =>
        (await listKeys(backend, key(`iso/${prefix}`))).map((k) => k.slice(key('iso/').length));
      expect(await names('foo')).toEqual(['foo.txt', 'foo/a', 'foo/b/c', 'foobar/x']);
      expect(await names('foo/')).toEqual(['foo/a', 'foo/b/c']);
      expect(await names('foob')).toEqual(['foobar/x']);
      expect(await names('foobar/')).toEqual(['foobar/x']);
      expect(await names('foo/b')).toEqual(['foo/b/c']);
      expect(await names('foo/b/')).toEqual(['foo/b/c']);
      expect(await names('foo/a')).toEqual(['foo/a']);
      expect(await names('foo.txt')).toEqual(['foo.txt']);
      expect(await names('foo.txt/')).toEqual([]);
      expect(await names('fo')).toEqual(['fo', 'foo.txt', 'foo/a', 'foo/b/c', 'foobar/x', 'fop']);
      expect(await names('nothing')).toEqual([]);
      expect(await names('nothing/')).toEqual([]);
      expect(await names('')).toEqual([...ISOLATION_NAMES].sort(compareKeys));
    },
  );

  suite.test('list reflects overwrites and deletes', async ({ backend, key }) => {
    await backend.write(key('live/a'), 'a');
    await backend.write(key('live/b'), 'b');
    await backend.write(key('live/a'), 'a longer');
    await backend.delete(key('live/b'));
    const entries = await listAll(backend, key('live/'));
    expect(entries.map((e) => [e.key, e.size])).toEqual([[key('live/a'), 8]]);
  });
}
