import { expect } from 'vitest';
import type { CaseSuite } from '../context.js';
import { expectTroveError, md5Hex, randomBytes, readBytes } from '../helpers.js';

export function copyCases(suite: CaseSuite): void {
  suite.test('copy duplicates the content and leaves the source', async ({ backend, key }) => {
    const bytes = randomBytes(123_457);
    const source = await backend.write(key('copy/src.bin'), bytes);
    const stat = await backend.copy(key('copy/src.bin'), key('copy/dst/new.bin'));
    expect(stat.key).toBe(key('copy/dst/new.bin'));
    expect(stat.size).toBe(bytes.length);
    const later = await backend.stat(key('copy/dst/new.bin'));
    expect(later.size).toBe(stat.size);
    expect(later.etag).toBe(stat.etag);
    expect(md5Hex(await readBytes(backend, key('copy/dst/new.bin')))).toBe(md5Hex(bytes));
    expect(md5Hex(await readBytes(backend, key('copy/src.bin')))).toBe(md5Hex(bytes));
    expect((await backend.stat(key('copy/src.bin'))).etag).toBe(source.etag);
  });

  suite.test('copy replaces an existing destination', async ({ backend, key }) => {
    await backend.write(key('copy/a'), 'new content');
    await backend.write(key('copy/b'), 'old');
    await backend.copy(key('copy/a'), key('copy/b'));
    expect((await readBytes(backend, key('copy/b'))).toString()).toBe('new content');
  });

  suite.test('copy of a 0-byte object', async ({ backend, key }) => {
    await backend.write(key('copy/empty'), '');
    const stat = await backend.copy(key('copy/empty'), key('copy/empty2'));
    expect(stat.size).toBe(0);
    expect((await readBytes(backend, key('copy/empty2'))).length).toBe(0);
  });

  suite.test(
    'copy of a missing source is NOT_FOUND and creates nothing',
    async ({ backend, key }) => {
      await expectTroveError(() => backend.copy(key('copy/missing'), key('copy/to')), 'NOT_FOUND');
      expect(await backend.exists(key('copy/to'))).toBe(false);
    },
  );

  suite.test(
    'copy with ifNoneMatch fails on an existing destination and keeps it',
    async ({ backend, key }) => {
      await backend.write(key('copy/s'), 'source');
      await backend.write(key('copy/d'), 'destination');
      await expectTroveError(
        () => backend.copy(key('copy/s'), key('copy/d'), { ifNoneMatch: '*' }),
        'PRECONDITION_FAILED',
      );
      expect((await readBytes(backend, key('copy/d'))).toString()).toBe('destination');
      const stat = await backend.copy(key('copy/s'), key('copy/fresh'), { ifNoneMatch: '*' });
      expect(stat.size).toBe(6);
      expect((await readBytes(backend, key('copy/fresh'))).toString()).toBe('source');
    },
  );
}
