import { expect } from 'vitest';
import { type CaseSuite, whenCapable } from '../context.js';
import { expectTroveError, md5Hex, randomBytes, readBytes } from '../helpers.js';

export function renameCases(suite: CaseSuite): void {
  whenCapable(suite, 'rename', 'rename', () => {
    suite.test('rename moves an object', async ({ backend, key }) => {
      const bytes = randomBytes(65_537);
      await backend.write(key('mv/from.bin'), bytes);
      const stat = await backend.rename?.(key('mv/from.bin'), key('mv/to/new.bin'));
      expect(stat?.key).toBe(key('mv/to/new.bin'));
      expect(stat?.size).toBe(bytes.length);
      expect(await backend.exists(key('mv/from.bin'))).toBe(false);
      const later = await backend.stat(key('mv/to/new.bin'));
      expect(later.etag).toBe(stat?.etag);
      expect(md5Hex(await readBytes(backend, key('mv/to/new.bin')))).toBe(md5Hex(bytes));
    });

    suite.test('rename replaces an existing destination', async ({ backend, key }) => {
      await backend.write(key('mv/a'), 'moved');
      await backend.write(key('mv/b'), 'replaced');
      await backend.rename?.(key('mv/a'), key('mv/b'));
      expect((await readBytes(backend, key('mv/b'))).toString()).toBe('moved');
      expect(await backend.exists(key('mv/a'))).toBe(false);
    });

    suite.test('rename of a missing source is NOT_FOUND', async ({ backend, key }) => {
      await expectTroveError(() => backend.rename?.(key('mv/missing'), key('mv/x')), 'NOT_FOUND');
      expect(await backend.exists(key('mv/x'))).toBe(false);
    });

    suite.test(
      'rename with ifNoneMatch onto an existing key fails and keeps both',
      async ({ backend, key }) => {
        await backend.write(key('mv/src'), 'source');
        await backend.write(key('mv/dst'), 'destination');
        await expectTroveError(
          () => backend.rename?.(key('mv/src'), key('mv/dst'), { ifNoneMatch: '*' }),
          'PRECONDITION_FAILED',
        );
        expect((await readBytes(backend, key('mv/src'))).toString()).toBe('source');
        expect((await readBytes(backend, key('mv/dst'))).toString()).toBe('destination');
        await backend.rename?.(key('mv/src'), key('mv/free'), { ifNoneMatch: '*' });
        expect((await readBytes(backend, key('mv/free'))).toString()).toBe('source');
        expect(await backend.exists(key('mv/src'))).toBe(false);
      },
    );
  });
}
