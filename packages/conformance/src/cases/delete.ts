import { expect } from 'vitest';
import { type CaseSuite, SUITE_CONCURRENCY } from '../context.js';
import { expectTroveError, listKeys, mapLimit, readBytes } from '../helpers.js';

export function deleteCases(suite: CaseSuite): void {
  suite.test('delete removes the object and is idempotent', async ({ backend, key }) => {
    const k = key('del/one');
    await backend.write(k, 'bye');
    await backend.delete(k);
    expect(await backend.exists(k)).toBe(false);
    await expectTroveError(() => backend.stat(k), 'NOT_FOUND');
    await expect(backend.delete(k)).resolves.toBeUndefined();
    await expect(backend.delete(key('del/never-existed'))).resolves.toBeUndefined();
    expect(await backend.exists(k)).toBe(false);
  });

  suite.test('delete leaves keys that share its prefix alone', async ({ backend, key }) => {
    const names = ['del/a', 'del/a.txt', 'del/ab/c', 'del/b/a'];
    for (const n of names) await backend.write(key(n), n);
    await backend.delete(key('del/a'));
    expect(await listKeys(backend, key('del/'))).toEqual(names.slice(1).map(key));
  });

  suite.test(
    'delete of a "directory" (a prefix of other keys) deletes nothing',
    async ({ backend, key }) => {
      await backend.write(key('del/dir/child'), 'kept');
      await backend.delete(key('del/dir'));
      expect((await readBytes(backend, key('del/dir/child'))).toString()).toBe('kept');
    },
  );

  suite.test('a key can be written again after it was deleted', async ({ backend, key }) => {
    const k = key('del/again/x');
    await backend.write(k, 'one');
    await backend.delete(k);
    await backend.write(k, 'two', { ifNoneMatch: '*' });
    expect((await readBytes(backend, k)).toString()).toBe('two');
  });

  suite.test(
    'deleteMany removes present keys, ignores absent ones, keeps the rest',
    async ({ backend, key }) => {
      const present = ['dm/a', 'dm/b/c', 'dm/d'].map(key);
      const kept = key('dm/kept');
      for (const k of [...present, kept]) await backend.write(k, 'x');
      await backend.deleteMany([
        present[0] as string,
        key('dm/absent'),
        present[1] as string,
        present[2] as string,
        key('dm/zz/absent'),
      ]);
      expect(await listKeys(backend, key('dm/'))).toEqual([kept]);
    },
  );

  suite.test('deleteMany of no keys changes nothing', async ({ backend, key }) => {
    await backend.write(key('dm/only'), 'x');
    await backend.deleteMany([]);
    expect(await listKeys(backend, key('dm/'))).toEqual([key('dm/only')]);
  });

  suite.test(
    'deleteMany of 1,100 keys (more than one batch) removes them all',
    async ({ backend, key }) => {
      const keys = Array.from({ length: 1_100 }, (_, i) => key(`dmany/${i % 7}/${i}`));
      await mapLimit(keys, SUITE_CONCURRENCY, (k) => backend.write(k, ''));
      expect((await listKeys(backend, key('dmany/'))).length).toBe(1_100);
      await backend.deleteMany([...keys, key('dmany/absent')]);
      expect(await listKeys(backend, key('dmany/'))).toEqual([]);
    },
    { slow: true },
  );
}
